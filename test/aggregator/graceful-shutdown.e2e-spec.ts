import { eventually } from '@smartscale/testing';
import { AggregatorHarness, exited, knownStream, PARTITIONS, T0 } from './harness';

// A real aggregator process gets SIGTERM with every processed step still pending (the commit interval
// is far away): its transport must drain, committing those steps and their windows, and leave the group
// before it exits; a second process then finishes the stream, every window exactly once.
jest.setTimeout(60_000);

const SECONDS = 30;

describe('the aggregator on SIGTERM', () => {
  const h = new AggregatorHarness(`term${Date.now().toString(36)}`);
  beforeAll(() => h.open());
  afterAll(() => h.close());

  it('commits what it processed and leaves its group before exiting, and the next process emits the rest once', async () => {
    const { events, expected, expectedHopping } = knownStream(h.run, SECONDS, 20);
    await h.send(events);
    await h.flush(SECONDS);

    const first = h.start('agg-1', { SMARTSCALE_BATCH_MODE: 'fixed', SMARTSCALE_COMMIT_INTERVAL_MS: '600000' });
    const claimed = (): number => h.log.filter((l) => l.startsWith('[agg-1]') && /claimed partition \d+/.test(l)).length;
    await eventually('every partition claimed and its first batch taken', () => claimed() >= PARTITIONS, 30_000, 50);
    expect(h.metrics).toEqual([]); // nothing committed before the drain
    const stopping = Date.now();
    first.kill('SIGTERM');
    await exited(first);
    const stoppedInMs = Date.now() - stopping;
    expect(first.signalCode ?? first.exitCode).toBe('SIGTERM'); // Nest re-raises the signal once its hooks ran
    expect(await h.groupState()).toBe('Empty'); // left the group instead of waiting out its session
    await eventually('the windows committed by the drain', () => h.emitted().length > 0, 10_000);

    h.start('agg-2');
    await eventually("every service's last window", () => h.hasLastWindows(T0 + (SECONDS - 1) * 1000), 30_000);
    await eventually("every service's last hopping window", () => h.hasLastHoppingWindows(SECONDS), 10_000);
    expect(h.check(expected)).toEqual({ doubled: [], wrong: [] });
    expect(h.check(expectedHopping, 'hopping')).toEqual({ doubled: [], wrong: [] });
    process.stdout.write(`graceful-shutdown: stopped in ${stoppedInMs} ms, ${h.metrics.length} windows\n`);
  });
});
