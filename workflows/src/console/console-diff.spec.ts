import { ControllerStatus, Decision, DEFAULT_POLICY, Forecast, WindowMetric } from '@smartscale/contracts';
import { windowMetric } from '@smartscale/testing';
import { changesBetween, decisionsAfter, stateOf } from './console-diff';
import type { ConsoleSnapshot } from './console.types';

const NOW = 1_700_000_000_000;

const decision = (seq: number): Decision => ({
  seq,
  at: NOW + seq * 1_000,
  action: 'hold',
  from: 1,
  to: 1,
  applied: false,
  reasons: [{ code: 'within-tolerance', message: 'within tolerance' }],
  inputs: {
    observedEventsPerSecond: 5,
    observedWindowEnd: NOW,
    forecastPeakEventsPerSecond: null,
    forecastUsed: false,
    anomalyScore: null,
    consumerLag: 0,
  },
});

const status = (over: Partial<ControllerStatus> = {}): ControllerStatus => ({
  targetId: 'demo',
  service: 'checkout',
  paused: null,
  override: null,
  currentReplicas: 1,
  desiredReplicas: 1,
  seq: 3,
  lastDecision: decision(3),
  policy: DEFAULT_POLICY,
  ...over,
});

const window = (windowEnd: number): WindowMetric => windowMetric(windowEnd, { count: 10, eventsPerSecond: 1 });

const forecast = (generatedAt: number): Forecast => ({
  v: 1,
  service: 'checkout',
  model: 'ensemble',
  windowMs: 10_000,
  basedOnWindowEnd: NOW,
  generatedAt,
  points: [],
  anomalyScore: 0.1,
});

const snapshot = (over: Partial<ConsoleSnapshot> = {}): ConsoleSnapshot => ({
  at: NOW,
  targets: [{ id: 'demo', service: 'checkout', state: 'active', status: status(), error: null, workflowUrl: 'ui/demo' }],
  health: { broker: true, temporal: true, history: true, predictor: true },
  windows: { checkout: window(NOW) },
  forecasts: { checkout: forecast(NOW) },
  ...over,
});

describe(stateOf.name, () => {
  it('shows a pause before an override, and an override before recommend mode', () => {
    const override = { replicas: 3, reason: 'sale', since: NOW - 1, expiresAt: NOW + 60_000 };
    const recommend = { ...DEFAULT_POLICY, mode: 'recommend' as const };
    expect(stateOf(status({ paused: { reason: 'deploy', since: NOW - 1, until: null }, override, policy: recommend }), NOW)).toBe('paused');
    expect(stateOf(status({ override, policy: recommend }), NOW)).toBe('override');
    expect(stateOf(status({ policy: recommend }), NOW)).toBe('recommend');
    expect(stateOf(status(), NOW)).toBe('active');
  });

  it('ignores a pause or an override whose time has passed', () => {
    expect(stateOf(status({ paused: { reason: 'x', since: NOW - 10, until: NOW - 1 } }), NOW)).toBe('active');
    expect(stateOf(status({ override: { replicas: 3, reason: 'x', since: NOW - 10, expiresAt: NOW } }), NOW)).toBe('active');
  });
});

describe(changesBetween.name, () => {
  it('sends nothing when nothing changed', () => {
    expect(changesBetween(snapshot(), snapshot({ at: NOW + 1_000 }), new Map())).toEqual([]);
  });

  it('sends health, status, decisions, a new window and a new forecast, each once', () => {
    const next = snapshot({
      health: { broker: false, temporal: true, history: true, predictor: true },
      targets: [
        {
          id: 'demo',
          service: 'checkout',
          state: 'paused',
          status: status({ paused: { reason: 'deploy', since: NOW, until: null } }),
          error: null,
          workflowUrl: 'ui/demo',
        },
      ],
      windows: { checkout: window(NOW + 10_000) },
      forecasts: { checkout: forecast(NOW + 10_000) },
    });
    const events = changesBetween(snapshot(), next, new Map([['demo', [decision(4), decision(5)]]]));
    expect(events.map((e) => e.type)).toEqual(['health', 'status', 'decision', 'decision', 'window', 'forecast']);
    expect(events[2]).toEqual({ type: 'decision', data: { targetId: 'demo', decision: decision(4), workflowUrl: 'ui/demo' } });
  });
});

describe(decisionsAfter.name, () => {
  const never = () => Promise.reject(new Error('must not fetch'));

  it("takes the status's last decision when it is the only new one, and nothing on the first look", async () => {
    expect(await decisionsAfter(2, status(), never)).toEqual([decision(3)]);
    expect(await decisionsAfter(3, status(), never)).toEqual([]);
    expect(await decisionsAfter(undefined, status(), never)).toEqual([]);
  });

  it('fetches the recent decisions when several arrived between two polls', async () => {
    const recent = async () => [decision(6), decision(5), decision(4), decision(3)];
    expect((await decisionsAfter(3, status({ lastDecision: decision(6) }), recent)).map((d) => d.seq)).toEqual([4, 5, 6]);
  });

  it('starts over when a new workflow counts from 1 again', async () => {
    const recent = async () => [decision(2), decision(1)];
    expect((await decisionsAfter(40, status({ lastDecision: decision(2) }), recent)).map((d) => d.seq)).toEqual([1, 2]);
  });
});
