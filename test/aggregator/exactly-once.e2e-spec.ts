import { eventually } from '@smartscale/testing';
import { AggregatorHarness, exited, knownStream, partitionOf, T0 } from './harness';

// A real aggregator process is SIGKILLed while the stream is still arriving, then restarted: every
// window must reach the metrics topic exactly once, with exact counts, as a read_committed consumer
// sees it, and the poison record must reach the dead-letter topic exactly once.
jest.setTimeout(60_000);

const SECONDS = 120;

describe('the aggregator across a SIGKILL', () => {
  const h = new AggregatorHarness(`eos${Date.now().toString(36)}`);
  beforeAll(() => h.open());
  afterAll(() => h.close());

  it('emits every window exactly once with exact counts when a process is killed mid-stream and restarted', async () => {
    const { events, expected, expectedHopping } = knownStream(h.run, SECONDS, 50);
    const chunk = 2_000;
    const firstHalf = Math.floor(events.length / (2 * chunk)) * chunk;
    for (let at = 0; at < firstHalf; at += chunk) await h.send(events.slice(at, at + chunk));
    await h.sendRaw(0, 'not json');

    const first = h.start('agg-1');
    // Keep the stream flowing while the first process works, and kill it once some windows are committed.
    let at = firstHalf;
    await eventually(
      'first committed windows',
      async () => {
        if (at < events.length * 0.75) {
          await h.send(events.slice(at, at + chunk));
          at += chunk;
        }
        return h.metrics.length > 50;
      },
      30_000,
      20,
    );
    first.kill('SIGKILL');
    await exited(first);
    const beforeKill = h.emitted().length;

    for (; at < events.length; at += chunk) await h.send(events.slice(at, at + chunk));
    await h.flush(SECONDS);
    h.start('agg-2');
    await eventually("every service's last window", () => h.hasLastWindows(T0 + (SECONDS - 1) * 1000), 40_000);
    await eventually("every service's last hopping window", () => h.hasLastHoppingWindows(SECONDS), 10_000);

    expect(h.check(expected)).toEqual({ doubled: [], wrong: [] });
    expect(h.check(expectedHopping, 'hopping')).toEqual({ doubled: [], wrong: [] });
    expect(beforeKill).toBeLessThan(h.emitted().length); // killed mid-stream, not after the end
    const poisonOffset = events.slice(0, firstHalf).filter((e) => partitionOf(e.service) === 0).length;
    expect(h.deadLetters).toEqual([`${h.topics.events}/0/${poisonOffset}`]);
    expect(h.log.some((l) => l.startsWith('[agg-2]') && /claimed partition \d+ at offset \d+ \(w1:/.test(l))).toBe(true);
  });
});
