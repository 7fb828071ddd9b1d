import { MessageEvent } from '@nestjs/common';
import { windowMetric } from '@smartscale/testing';
import { Subscription } from 'rxjs';
import { ControllerStatus, Decision, DEFAULT_POLICY, WindowMetric } from '@smartscale/contracts';
import type { TargetsService } from '../control/targets.service';
import type { HistoryService } from '../history/history.service';
import type { LatestWindowsStore } from '../observe/latest-windows.store';
import type { TemporalClientProvider } from '../worker/temporal-client.provider';
import { ConsoleService, POLL_MS, UnknownConsoleTargetError } from './console.service';
import { ForecastHistory } from './forecast-history';
import type { ForecastRecorder } from './forecast-recorder.service';
import type { PredictorHttpAdapter } from './predictor-http.adapter';

const T0 = 1_700_000_000_000;
const target = { id: 'demo', service: 'checkout' };

const decision = (seq: number): Decision => ({
  seq,
  at: T0 + seq,
  action: 'hold',
  from: 1,
  to: 1,
  applied: false,
  reasons: [{ code: 'capacity', message: 'enough' }],
  inputs: {
    observedEventsPerSecond: 1,
    observedWindowEnd: T0,
    forecastPeakEventsPerSecond: null,
    forecastUsed: false,
    anomalyScore: 0,
    consumerLag: 0,
  },
});
const window = (windowEnd: number): WindowMetric =>
  windowMetric(windowEnd, { windowStart: windowEnd - 10, count: 1, eventsPerSecond: 3, consumerLag: 7 });
const never = <T>() => new Promise<T>(() => undefined);

/** The adapters the service reads, replaced; the feed's polling, diffing and fan-out are under test. */
function setup() {
  const world = {
    status: {
      targetId: 'demo',
      service: 'checkout',
      paused: null,
      override: null,
      currentReplicas: 1,
      desiredReplicas: 1,
      seq: 1,
      lastDecision: decision(1),
      policy: DEFAULT_POLICY,
    } as ControllerStatus,
    statusHangs: false,
    window: window(T0) as WindowMetric | null,
    broker: true,
    temporal: true as boolean | 'hang',
    predictor: true,
  };
  const controllers = {
    ids: () => ['demo'],
    uiLink: (id: string) => `ui/${id}`,
    status: async () => (world.statusHangs ? never<ControllerStatus>() : world.status),
    decisions: async () => [decision(3), decision(2), decision(1)],
  };
  const history = {
    name: 'history',
    check: async () => true,
    windows: async () => [window(T0 + 20), window(T0 + 10)],
    decisions: async () => [
      { ...decision(2), runId: 'r2' },
      { ...decision(1), runId: 'r1' },
    ],
  };
  const windows = { name: 'broker', check: async () => world.broker, latestFor: () => world.window };
  const temporal = { name: 'temporal', check: async () => (world.temporal === 'hang' ? never<boolean>() : world.temporal) };
  const predictor = { reachable: async () => world.predictor };
  const forecasts = {
    targets: () => [{ id: target.id, service: target.service, horizon: 3 }],
    learn: () => undefined,
    history: new ForecastHistory(),
  };
  const service = new ConsoleService(
    controllers as unknown as TargetsService,
    history as unknown as HistoryService,
    windows as unknown as LatestWindowsStore,
    temporal as unknown as TemporalClientProvider,
    predictor as unknown as PredictorHttpAdapter,
    forecasts as unknown as ForecastRecorder,
  );
  return { world, service, forecasts };
}

describe(ConsoleService.name, () => {
  const subs: Subscription[] = [];
  const listen = (service: ConsoleService) => {
    const got: MessageEvent[] = [];
    subs.push(service.events().subscribe((e) => got.push(e)));
    return got;
  };
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => {
    subs.splice(0).forEach((s) => s.unsubscribe());
    jest.useRealTimers();
  });

  it('sends each page a snapshot first, then only what changed, every decision included', async () => {
    const { world, service } = setup();
    const first = listen(service);
    await jest.advanceTimersByTimeAsync(0);
    expect(first.map((e) => e.type)).toEqual(['snapshot']);
    await jest.advanceTimersByTimeAsync(POLL_MS);
    expect(first.map((e) => e.type)).toEqual(['snapshot']);

    world.status = { ...world.status, seq: 3, lastDecision: decision(3) };
    world.window = window(T0 + 10);
    await jest.advanceTimersByTimeAsync(POLL_MS);
    expect(first.slice(1).map((e) => e.type)).toEqual(['status', 'decision', 'decision', 'window']);
    expect(first.filter((e) => e.type === 'decision').map((e) => (e.data as { decision: Decision }).decision.seq)).toEqual([2, 3]);

    const second = listen(service);
    await jest.advanceTimersByTimeAsync(0);
    expect(second.map((e) => e.type)).toEqual(['snapshot']);
    expect((second[0].data as { targets: { status: ControllerStatus }[] }).targets[0].status.seq).toBe(3);
  });

  it('reports a part that fails or hangs as down, and a target it cannot query as unknown', async () => {
    const { world, service } = setup();
    Object.assign(world, { broker: false, temporal: 'hang', predictor: false, statusHangs: true });
    const got = listen(service);
    await jest.advanceTimersByTimeAsync(3_000);
    const snapshot = got[0].data as { health: object; targets: { state: string; error: string }[] };
    expect(snapshot.health).toEqual({ broker: false, temporal: false, history: true, predictor: false });
    expect(snapshot.targets[0]).toMatchObject({ state: 'unknown', error: expect.stringContaining('did not answer') });
  });

  it('gives a chart oldest first, with the recorded forecasts of the range and the run of each decision', async () => {
    const { service, forecasts } = setup();
    forecasts.history.add({
      v: 1,
      service: 'checkout',
      model: 'm',
      windowMs: 10,
      basedOnWindowEnd: T0,
      generatedAt: T0,
      anomalyScore: 0.5,
      points: [{ windowEnd: T0 + 10, eventsPerSecond: 3, lower: 2, upper: 4 }],
    });
    const chart = await service.chart('demo', { from: T0, to: T0 + 100 });
    expect(chart.windows).toEqual([
      { windowEnd: T0 + 10, eventsPerSecond: 3, consumerLag: 7 },
      { windowEnd: T0 + 20, eventsPerSecond: 3, consumerLag: 7 },
    ]);
    expect(chart.decisions.map((d) => [d.seq, d.runId])).toEqual([
      [1, 'r1'],
      [2, 'r2'],
    ]);
    expect(chart.forecastHistory).toEqual([{ windowEnd: T0 + 10, eventsPerSecond: 3, lower: 2, upper: 4, anomalyScore: 0.5 }]);
    expect(chart.workflowUrl).toBe('ui/demo');
    await expect(service.chart('nope', { from: T0, to: T0 + 1 })).rejects.toBeInstanceOf(UnknownConsoleTargetError);
  });
});
