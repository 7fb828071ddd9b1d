import { TelemetryEvent } from '@smartscale/contracts';
import { eventually, TopicProbe } from '@smartscale/testing';
import { brokers, HostileIngest, metric, post, sha256, startIngest } from './ingest-support';

// Issue 18: what one client can do to everyone else through event contents alone. A time an hour
// ahead (which moved a partition's stream time and blinded `checkout`) is refused at the door with the
// bound named; a client inventing 5,000 service names is stopped at its cap while another client's
// services, old and new, go on as before. Nothing refused reaches the topic.
jest.setTimeout(120_000);

const run = Date.now().toString(36);

describe('ingest refuses event times one client could use to move stream time', () => {
  let ingest: HostileIngest;
  beforeAll(async () => {
    ingest = await startIngest('future');
    expect((await post(ingest.url, { service: 'warm', type: 'request', time: Date.now() })).status).toBe(202);
  });
  afterAll(() => ingest?.close());

  it('answers 400 naming the bound to an event 59 min ahead, counts it, and stores nothing of it', async () => {
    const service = `future${run}`;
    const probe = await TopicProbe.open<TelemetryEvent>(brokers, ingest.topic, service);
    try {
      const ahead = await post(ingest.url, { id: 'ahead', service, type: 'request', time: Date.now() + 59 * 60_000 });
      console.log(`future-dated event: ${ahead.status} ${JSON.stringify(ahead.body.issues)}`);
      expect(ahead.status).toBe(400);
      expect(ahead.body.issues).toEqual([
        {
          index: 0,
          path: 'time',
          message: 'event time is more than 2 min ahead of the server clock (SMARTSCALE_MAX_FUTURE_SKEW_MS=120000)',
        },
      ]);
      expect(await metric(ingest.url, 'smartscale_ingest_events_rejected_total', 'reason="future"')).toBe(1);
      // a clock a minute fast is still a normal client
      expect((await post(ingest.url, { id: 'skewed', service, type: 'request', time: Date.now() + 60_000 })).status).toBe(202);
      expect((await post(ingest.url, { id: 'marker', service, type: 'request', time: Date.now() })).status).toBe(202);
      await eventually('the marker on the topic', () => probe.records.some((e) => e.id === 'marker'), 30_000, 100);
      expect(probe.records.map((e) => e.id).sort()).toEqual(['marker', 'skewed']);
    } finally {
      await probe.close();
    }
  });
});

describe('ingest caps the services one client can invent', () => {
  let ingest: HostileIngest;
  const inventor = { 'x-api-key': `inventor-${run}` };
  const tenant = { 'x-api-key': `tenant-${run}` };

  beforeAll(async () => {
    // default caps: 500 services per key, 2,000 in all, within an hour
    ingest = await startIngest('services', { SMARTSCALE_API_KEYS: `${sha256(inventor['x-api-key'])}:*,${sha256(tenant['x-api-key'])}:*` });
    expect((await post(ingest.url, { service: `steady${run}`, type: 'request', time: Date.now() }, tenant)).status).toBe(202);
  });
  afterAll(() => ingest?.close());

  it('refuses 5,000 invented services past the per-key cap with 429 naming it, and no other client notices', async () => {
    const probe = await TopicProbe.open<TelemetryEvent>(brokers, ingest.topic, 'inv-4999');
    const statuses: Record<number, number> = {};
    let refusal: Record<string, unknown> | undefined;
    const started = performance.now();
    for (let r = 0; r < 50; r++) {
      const batch = Array.from({ length: 100 }, (_, i) => ({ service: `inv-${r * 100 + i}`, type: 'request', time: Date.now() }));
      const res = await post(ingest.url, batch, inventor);
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      if (res.status === 429) refusal ??= res.body;
    }
    const tracked = await metric(ingest.url, 'smartscale_ingest_services_tracked');
    console.log(
      `5,000 invented services in 50 requests: statuses ${JSON.stringify(statuses)} in ${(performance.now() - started).toFixed(0)} ms, services tracked ${tracked}; refusal: ${String(refusal?.message)}`,
    );
    expect(statuses).toEqual({ 202: 5, 429: 45 });
    expect(refusal).toEqual(
      expect.objectContaining({
        cap: 'per_client',
        message: expect.stringMatching(/cap of 500 distinct services for this client \(SMARTSCALE_INGEST_MAX_SERVICES_PER_CLIENT\)/),
      }),
    );
    expect(tracked).toBe(501);
    expect(await metric(ingest.url, 'smartscale_ingest_requests_rejected_total', 'reason="service_cap"')).toBe(45);

    // another key: its known service and a new one are both taken as before
    expect((await post(ingest.url, { service: `steady${run}`, type: 'request', time: Date.now() }, tenant)).status).toBe(202);
    expect((await post(ingest.url, { id: `new-${run}`, service: `fresh${run}`, type: 'request', time: Date.now() }, tenant)).status).toBe(
      202,
    );
    // the inventor's admitted services still pass
    expect((await post(ingest.url, { service: 'inv-7', type: 'request', time: Date.now() }, inventor)).status).toBe(202);
    // nothing of a refused service reached the topic; the name itself stays free for other clients (and
    // their marker on the same key proves the probe reads)
    expect((await post(ingest.url, { id: 'marker', service: 'inv-4999', type: 'request', time: Date.now() }, tenant)).status).toBe(202);
    await eventually('the marker on the topic', () => probe.records.some((e) => e.id === 'marker'), 30_000, 100);
    expect(probe.records.map((e) => e.id)).toEqual(['marker']);
    await probe.close();
  });
});
