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

  it('refuses to serve a non-loopback host without API keys unless anonymous access is allowed on purpose', () => {
    expect(() => loadIngestConfig({ SMARTSCALE_INGEST_HOST: '0.0.0.0' })).toThrow(
      /SMARTSCALE_API_KEYS: ingest would serve 0\.0\.0\.0 without API keys.*SMARTSCALE_INGEST_ALLOW_ANONYMOUS=true/s,
    );
    expect(() => loadIngestConfig({ SMARTSCALE_INGEST_HOST: '10.1.2.3' })).toThrow(/without API keys/);
    expect(loadIngestConfig({ SMARTSCALE_INGEST_HOST: '0.0.0.0', SMARTSCALE_API_KEYS: `${HASH}:*` }).http.host).toBe('0.0.0.0');
    expect(loadIngestConfig({ SMARTSCALE_INGEST_HOST: '0.0.0.0', SMARTSCALE_INGEST_ALLOW_ANONYMOUS: 'true' }).auth.allowAnonymous).toBe(
      true,
    );
    for (const host of ['127.0.0.1', '127.9.9.9', 'localhost', '::1', '[::1]'])
      expect(loadIngestConfig({ SMARTSCALE_INGEST_HOST: host }).http.host).toBe(host);
  });

  it('bounds event time 2 minutes ahead by default and event age by the retention', () => {
    const c = loadIngestConfig({});
    expect(c.events.maxFutureSkewMs).toBe(120_000);
    expect(c.events.maxAgeMs).toBe(c.events.retentionMs);
    expect(loadIngestConfig({ SMARTSCALE_INGEST_MAX_EVENT_AGE_MS: String(30 * 86_400_000) }).events.maxAgeMs).toBe(c.events.retentionMs);
  });
});
