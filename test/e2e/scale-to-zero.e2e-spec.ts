import { ControllerStatus, Decision, TOPICS, windowKind, WindowMetric } from '@smartscale/contracts';
import { eventually, TopicProbe } from '@smartscale/testing';
import { runLoad } from '../../tools/loadgen/loadgen';
import { LocalStack, startLocalStack } from './local-stack';

// Scale to zero and back on the real broker and Temporal: a target with minReplicas 0 starts with no
// aggregator process, holds at zero while nothing waits, and the first events wake it through the
// aggregator group's lag; the time from the first event to its first window is printed.
jest.setTimeout(240_000);

describe('scale to zero and back', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack({
      minReplicas: 0,
      maxReplicas: 2,
      capacityPerReplica: 50,
      tickIntervalMs: 1_000,
      activationLag: 1,
      scaleUpCooldownMs: 0,
      scaleDownCooldownMs: 0,
      forecastHorizonWindows: 0,
    });
  });
  afterAll(() => stack?.close());

  const get = async <T>(path: string): Promise<T> =>
    (await fetch(`${stack.controlUrl}/v1/targets/${stack.run}${path}`)).json() as Promise<T>;

  it('holds at zero while idle, wakes on the first events, and emits their window', async () => {
    const idle = await eventually('a decision at zero', async () =>
      (await get<Decision[]>('/decisions')).find((d) => d.reasons[0]?.code === 'idle-at-zero'),
    );
    expect(idle.to).toBe(0);
    expect((await get<ControllerStatus>('')).currentReplicas).toBe(0);

    const probe = await TopicProbe.open<WindowMetric>(stack.brokers, TOPICS.metrics, stack.run);
    // The tumbling windows: each event counts in one of them (a hopping window holds it too).
    const metrics = {
      get records(): WindowMetric[] {
        return probe.records.filter((m) => windowKind(m) === 'tumbling');
      },
    };
    try {
      const firstEventAt = Date.now();
      const load = runLoad({
        url: stack.ingestUrl,
        service: stack.run,
        shape: { kind: 'constant', rate: 20 },
        durationSeconds: 15,
        batchSize: 10,
        errorRate: 0,
      });
      const wake = await eventually('an applied activation', async () =>
        (await get<Decision[]>('/decisions')).find((d) => d.reasons[0]?.code === 'activation' && d.applied),
      );
      expect([wake.from, wake.to]).toEqual([0, 1]);
      const first = await eventually('the first window after waking', () => metrics.records.find((m) => m.count > 0), 60_000, 100);
      const tookMs = Date.now() - firstEventAt;
      console.log(
        `scale-from-zero: first event → first window emitted in ${tookMs} ms (activation decision #${wake.seq}, window ending ${new Date(first.windowEnd).toISOString()})`,
      );
      const sent = await load;
      expect(sent.failed).toBe(0);
      // Nothing was lost while the group was at zero: every accepted event is counted in exactly one
      // window, and no window is emitted twice.
      const counted = await eventually(
        'every accepted event counted in a window',
        () => {
          const total = metrics.records.reduce((sum, m) => sum + m.count, 0);
          return total >= sent.accepted && total;
        },
        60_000,
        250,
      );
      expect(counted).toBe(sent.accepted);
      const starts = metrics.records.map((m) => m.windowStart);
      expect(new Set(starts).size).toBe(starts.length);
    } finally {
      await probe.close();
    }
  });
});
