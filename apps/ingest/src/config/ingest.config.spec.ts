import { loadIngestConfig } from './ingest.config';

const HASH = 'ab'.repeat(32);

describe(loadIngestConfig.name, () => {
  it('turns auth off and keeps 7 days of retention when nothing is set', () => {
    const c = loadIngestConfig({});
    expect(c.auth.apiKeys).toEqual([]);
    expect(c.events.retentionMs).toBe(7 * 86_400_000);
    expect(c.events.topic).toBe('smartscale.events.v1');
  });

  it('writes to another topic when told (a benchmark keeps its load away from the aggregators), and refuses a bad name', () => {
    expect(loadIngestConfig({ SMARTSCALE_EVENTS_TOPIC: 'smartscale.bench.events' }).events.topic).toBe('smartscale.bench.events');
    expect(() => loadIngestConfig({ SMARTSCALE_EVENTS_TOPIC: 'no spaces/here' })).toThrow(/SMARTSCALE_EVENTS_TOPIC/);
  });

  it('reads hashed keys with a service list or *', () => {
    const c = loadIngestConfig({ SMARTSCALE_API_KEYS: `${HASH}:checkout|cart, ${HASH.toUpperCase()}:*` });
    expect(c.auth.apiKeys).toEqual([
      { sha256: HASH, services: new Set(['checkout', 'cart']) },
      { sha256: HASH, services: '*' },
    ]);
  });

  it('refuses a plain-text key or a key without scope, naming the variable', () => {
    expect(() => loadIngestConfig({ SMARTSCALE_API_KEYS: 'my-secret:checkout' })).toThrow(/SMARTSCALE_API_KEYS/);
    expect(() => loadIngestConfig({ SMARTSCALE_API_KEYS: HASH })).toThrow(/expected <sha256 hex>/);
  });
});
