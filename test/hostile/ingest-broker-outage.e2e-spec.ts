import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TelemetryEvent } from '@smartscale/contracts';
import { eventually, REPO_ROOT, TopicProbe } from '@smartscale/testing';
import { EVENT_SINK } from '../../apps/ingest/src/events/event-sink.adapter';
import * as infra from '../../tools/infra';
import { brokers, HostileIngest, post, sleep, startIngest } from './ingest-support';

// Issue 18: the broker goes away for a minute while 40 clients keep retrying bodies of events sent
// without an id, each retry the same body, as a careful client would. Ingest answers 503 at its
// deadline and withdraws what it queued for the request, so its queue and memory stay bounded however
// many retries arrive; a retried body gets the ids it got before, so an attempt answered 503 that still
// landed and its retry that got 202 are one event (the aggregator counts an id once); and every id
// answered 202 is on the topic once the broker is back. The broker is shared: run under the heavy lock.
jest.setTimeout(300_000);

const KAFKA_PID_FILE = join(REPO_ROOT, '.smartscale', 'run', 'kafka.pid');
/** The issue asks for 60 s; SMARTSCALE_HOSTILE_OUTAGE_MS shortens it for a quick local run. */
const OUTAGE_MS = Number(process.env.SMARTSCALE_HOSTILE_OUTAGE_MS ?? 60_000);
const CLIENTS = 40;
const EVENTS_PER_BODY = 10;

/** Messages waiting in ingest's publisher queues (read from the sink: the test must see what the app holds). */
function queuedMessages(ingest: HostileIngest): number {
  const sink = ingest.app.get(EVENT_SINK) as unknown as { publishers: { queue: { messages: unknown[] }[] }[] };
  return sink.publishers.reduce((n, p) => n + p.queue.reduce((m, q) => m + q.messages.length, 0), 0);
}

describe('ingest while the broker is down for a minute under id-less retries', () => {
  const service = `outage${Date.now().toString(36)}`;
  let ingest: HostileIngest;

  beforeAll(async () => {
    if (!existsSync(KAFKA_PID_FILE) || !infra.isAlive(Number(readFileSync(KAFKA_PID_FILE, 'utf8')))) {
      throw new Error('this fault test stops and restarts the broker that tools/infra started (no live .smartscale/run/kafka.pid)');
    }
    ingest = await startIngest('outage', { SMARTSCALE_INGEST_PUBLISH_TIMEOUT_MS: '2000' });
    expect((await post(ingest.url, { service: 'warm', type: 'request', time: Date.now() })).status).toBe(202);
  });
  afterAll(() => ingest?.close());

  it('keeps its queue and memory bounded, counts nothing twice and stores every accepted id', async () => {
    const since = await TopicProbe.ends(brokers, ingest.topic);
    const accepted = new Set<string>();
    const statuses: Record<number, number> = {};
    let bodies = 0;
    let attempts = 0;
    let stopNewBodies = false;
    let done = false;

    const client = async (c: number): Promise<void> => {
      for (let seq = 0; !stopNewBodies; seq++) {
        const time = Date.now();
        const body = Array.from({ length: EVENTS_PER_BODY }, (_, i) => ({
          service,
          type: 'request',
          time,
          latencyMs: c * 100_000 + seq * 100 + i,
        }));
        bodies += 1;
        for (;;) {
          attempts += 1;
          const res = await post(ingest.url, body).catch(() => ({ status: 0, body: {} as Record<string, unknown> }));
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (res.status === 202) {
            for (const id of res.body.ids as string[]) accepted.add(id);
            break;
          }
          await sleep(200);
        }
      }
    };

    let maxQueued = 0;
    let maxHeapGrowth = 0;
    const heapBase = process.memoryUsage().heapUsed;
    const sampler = setInterval(() => {
      maxQueued = Math.max(maxQueued, queuedMessages(ingest));
      maxHeapGrowth = Math.max(maxHeapGrowth, process.memoryUsage().heapUsed - heapBase);
    }, 100);
    const load = Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c))).finally(() => (done = true));

    await eventually('events flowing before the fault', () => accepted.size > 0, 30_000, 100);
    const pid = Number(readFileSync(KAFKA_PID_FILE, 'utf8'));
    let stoppedAt = 0;
    let attemptsAtStop = 0;
    let attemptsInOutage = 0;
    try {
      process.kill(-pid, 'SIGTERM');
      await eventually('the broker gone', () => !infra.isAlive(pid), 60_000, 100);
      stoppedAt = Date.now();
      attemptsAtStop = attempts;
      await sleep(OUTAGE_MS);
      attemptsInOutage = attempts - attemptsAtStop;
    } finally {
      await infra.up();
    }
    const outageMs = Date.now() - stoppedAt;
    await sleep(3_000); // new bodies for a while after the restart, then only the pending retries
    stopNewBodies = true;
    await eventually('every body accepted after the restart', () => done, 120_000, 200);
    await load;
    clearInterval(sampler);

    console.log(
      `broker outage ${(outageMs / 1000).toFixed(1)} s: ${bodies} bodies of ${EVENTS_PER_BODY} id-less events from ${CLIENTS} clients, ${attempts} attempts ` +
        `(${attemptsInOutage} during the outage), statuses ${JSON.stringify(statuses)}, max queued records ${maxQueued}, max heap growth ${(maxHeapGrowth / 2 ** 20).toFixed(1)} MiB`,
    );
    expect(statuses[503] ?? 0).toBeGreaterThan(CLIENTS);
    // Only requests still waiting for an answer have records queued: at most one record per client.
    expect(maxQueued).toBeLessThanOrEqual(CLIENTS);
    expect(maxHeapGrowth).toBeLessThan(150 * 2 ** 20);
    expect(accepted.size).toBe(bodies * EVENTS_PER_BODY);

    const probe = await TopicProbe.open<TelemetryEvent>(brokers, ingest.topic, service, since);
    try {
      await eventually(
        'every accepted id on the topic',
        () => {
          const ids = new Set(probe.records.map((e) => e.id));
          return [...accepted].every((id) => ids.has(id));
        },
        90_000,
        500,
      );
      await sleep(2_000); // late copies of attempts answered 503, if any, are read too
      const onTopic = new Set(probe.records.map((e) => e.id));
      const copies = probe.records.length - onTopic.size;
      console.log(
        `on the topic: ${probe.records.length} records for ${onTopic.size} ids (${copies} extra copies of an id, counted once downstream)`,
      );
      // nothing counted twice: no id on the topic that a client was not finally answered 202 with
      expect([...onTopic].filter((id) => !accepted.has(id))).toEqual([]);
      expect(onTopic.size).toBe(accepted.size);
    } finally {
      await probe.close();
    }
  });
});
