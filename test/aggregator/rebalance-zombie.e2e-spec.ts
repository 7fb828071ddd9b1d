import { eventually } from '@smartscale/testing';
import { AggregatorHarness, knownStream, PARTITIONS, T0 } from './harness';

// Two real processes in one group: a second one joins mid-stream (rebalance), then the first is frozen
// with SIGSTOP (a GC pause or a partition from the broker) until the group gives all partitions to the
// second, which fences it through the per-partition transactionalId; then the first wakes up as a
// zombie and rejoins. Every window must still be emitted exactly once with exact counts.
jest.setTimeout(60_000);

const SECONDS = 120;

describe('the aggregator across a rebalance and a zombie', () => {
  const h = new AggregatorHarness(`rbz${Date.now().toString(36)}`);
  beforeAll(() => h.open());
  afterAll(() => h.close());

  it('emits every window exactly once when a replica joins, and when a frozen replica is fenced and comes back', async () => {
    const { events, expected, expectedHopping } = knownStream(h.run, SECONDS, 40);
    const chunk = 1_000;
    let at = 0;
    const feedUntil = (what: string, share: number, done: () => boolean, timeoutMs: number): Promise<boolean> =>
      eventually(
        what,
        async () => {
          if (at < events.length * share) {
            await h.send(events.slice(at, at + chunk));
            at += chunk;
          }
          return done();
        },
        timeoutMs,
        20,
      );
    const claims = (name: string): Set<string> =>
      new Set(h.log.filter((l) => l.startsWith(`[${name}]`)).flatMap((l) => /claimed partition (\d+)/.exec(l)?.[1] ?? []));

    const first = h.start('agg-1');
    await feedUntil('windows from the first replica', 0.3, () => h.metrics.length > 30, 20_000);
    h.start('agg-2');
    await feedUntil('the second replica to claim a partition', 0.55, () => claims('agg-2').size > 0, 20_000);
    const afterJoin = h.metrics.length;
    await feedUntil('windows after the rebalance', 0.6, () => h.metrics.length > afterJoin + 20, 10_000);

    first.kill('SIGSTOP');
    await feedUntil('the second replica to take every partition', 0.85, () => claims('agg-2').size === PARTITIONS, 30_000);
    first.kill('SIGCONT');
    for (; at < events.length; at += chunk) await h.send(events.slice(at, at + chunk));
    await h.flush(SECONDS);
    await eventually("every service's last window", () => h.hasLastWindows(T0 + (SECONDS - 1) * 1000), 30_000);
    await eventually("every service's last hopping window", () => h.hasLastHoppingWindows(SECONDS), 10_000);

    expect(h.check(expected)).toEqual({ doubled: [], wrong: [] });
    expect(h.check(expectedHopping, 'hopping')).toEqual({ doubled: [], wrong: [] });
    const fenced = h.log.filter((l) => /fenced/.test(l));
    // Whether the zombie had a transaction in flight when frozen is timing; print what happened.
    process.stdout.write(
      `rebalance-zombie: ${h.metrics.length} windows, ${fenced.length} fenced log lines\n${fenced.slice(0, 3).join('\n')}\n`,
    );
  });
});
