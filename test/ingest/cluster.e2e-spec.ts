import { AddressInfo, createServer } from 'node:net';
import { TelemetryEvent, TOPICS } from '@smartscale/contracts';
import { eventually, TopicProbe } from '@smartscale/testing';
import { loadIngestConfig } from '../../apps/ingest/src/config/ingest.config';
import { runLoad } from '../../tools/loadgen/loadgen';
import { IngestProcess, startIngestProcess } from '../../tools/bench-ingest/ingest-process';

// Ingest as deployed with SMARTSCALE_INGEST_WORKERS=2 (dist main, a cluster on one port), against the
// real broker: /metrics counts the whole app whichever worker answers, a worker that dies is replaced
// while the other keeps serving, SIGTERM drains every worker, and every id answered 202 is on the topic.
jest.setTimeout(180_000);

const brokers = [loadIngestConfig(process.env).kafka.brokers].flat();
const acceptedTotal = async (base: string): Promise<number> => {
  const text = await (await fetch(`${base}/metrics`)).text();
  return Number(/^smartscale_ingest_events_accepted_total(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN);
};

describe('ingest with two workers that cannot start', () => {
  it('stops with exit code 1 after three quick deaths instead of restarting forever', async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = String((busy.address() as AddressInfo).port);
    try {
      await expect(
        startIngestProcess({ SMARTSCALE_KAFKA_BROKERS: brokers.join(','), SMARTSCALE_INGEST_WORKERS: '2', SMARTSCALE_INGEST_PORT: port }),
      ).rejects.toThrow('ingest exited with 1');
    } finally {
      busy.close();
    }
  });
});

describe('ingest with two workers on one port', () => {
  const service = `cluster${Date.now().toString(36)}`;
  let ingest: IngestProcess;

  beforeAll(async () => {
    ingest = await startIngestProcess({ SMARTSCALE_KAFKA_BROKERS: brokers.join(','), SMARTSCALE_INGEST_WORKERS: '2' });
  });
  afterAll(() => ingest?.stop());

  it('sums metrics over workers, replaces a dead worker, drains on SIGTERM and stores every accepted event', async () => {
    await eventually('two workers', () => ingest.workerPids().length === 2, 30_000, 200);
    const since = await TopicProbe.ends(brokers, TOPICS.events);
    const load = (seconds: number) =>
      runLoad({ url: ingest.base, service, shape: { kind: 'constant', rate: 400 }, durationSeconds: seconds, batchSize: 10, errorRate: 0 });

    // 1. Connections land on both workers; any scrape counts all of them.
    const first = await load(4);
    expect(first.accepted).toBeGreaterThan(1000);
    for (let i = 0; i < 4; i++) expect(await acceptedTotal(ingest.base)).toBe(first.accepted);

    // 2. A worker killed under load: the primary starts another, the app keeps accepting.
    const during = load(8);
    await new Promise((r) => setTimeout(r, 2_000));
    const [victim, survivor] = ingest.workerPids();
    process.kill(victim, 'SIGKILL');
    await eventually(
      'a new worker in place of the dead one',
      () => {
        const pids = ingest.workerPids();
        return pids.length === 2 && !pids.includes(victim) && pids.includes(survivor);
      },
      30_000,
      200,
    );
    const second = await during;
    expect(second.accepted).toBeGreaterThan(1000);

    // 3. SIGTERM under load: the workers drain, the primary exits 0.
    const last = load(6);
    await new Promise((r) => setTimeout(r, 2_000));
    process.kill(ingest.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((r) => (timer = setTimeout(() => r('still running after 20 s'), 20_000)));
    expect(await Promise.race([ingest.exited, late])).toBe(0);
    clearTimeout(timer);
    const third = await last;
    expect(third.accepted).toBeGreaterThan(0);
    console.log(
      `cluster: accepted ${first.accepted} + ${second.accepted} (a worker killed; statuses ${JSON.stringify(second.statuses)}) + ${third.accepted} (SIGTERM; statuses ${JSON.stringify(third.statuses)})`,
    );

    // Accepted means stored, across all three.
    const ids = [...first.ids, ...second.ids, ...third.ids];
    const events = await TopicProbe.open<TelemetryEvent>(brokers, TOPICS.events, service, since);
    try {
      const stored = await eventually(
        'every accepted id on the topic',
        () => {
          const seen = new Set(events.records.map((e) => e.id));
          return ids.every((id) => seen.has(id)) && seen;
        },
        90_000,
        500,
      );
      expect(ids.filter((id) => !stored.has(id))).toEqual([]);
    } finally {
      await events.close();
    }
  });
});
