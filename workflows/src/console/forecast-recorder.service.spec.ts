import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControllerStatus, DEFAULT_POLICY, Forecast, WindowMetric } from '@smartscale/contracts';
import type { WorkerConfig } from '../config/worker.config';
import type { TargetsService } from '../control/targets.service';
import type { LatestWindowsStore } from '../observe/latest-windows.store';
import { ForecastRecorder } from './forecast-recorder.service';
import type { PredictorHttpAdapter } from './predictor-http.adapter';

const T0 = 1_700_000_000_000;

/** Temporal, the windows store and the predictor replaced; which forecasts get asked for and kept is under test. */
function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'console-recorder-'));
  const targetsFile = join(dir, 'targets.json');
  writeFileSync(
    targetsFile,
    JSON.stringify([{ id: 'demo', service: 'checkout', scaler: { kind: 'local' }, policy: { forecastHorizonWindows: 3 } }]),
  );
  const world = { ids: ['demo', 'added'], windowEnd: T0, asked: [] as string[] };
  const status = (id: string): ControllerStatus => ({
    targetId: id,
    service: id === 'demo' ? 'checkout' : 'payments',
    paused: null,
    override: null,
    currentReplicas: 1,
    desiredReplicas: 1,
    seq: 1,
    lastDecision: null,
    policy: { ...DEFAULT_POLICY, forecastHorizonWindows: id === 'demo' ? 3 : 5 },
  });
  const controllers = { ids: () => world.ids, status: async (id: string) => status(id) };
  const windows = { latestFor: (service: string) => ({ service, windowEnd: world.windowEnd }) as WindowMetric };
  const predictor = {
    forecast: async (service: string, horizon: number): Promise<Forecast> => {
      world.asked.push(`${service}:${horizon}`);
      return {
        v: 1,
        service,
        model: 'm',
        windowMs: 10_000,
        basedOnWindowEnd: world.windowEnd,
        generatedAt: Date.now(),
        anomalyScore: 0,
        points: [{ windowEnd: world.windowEnd + 10_000, eventsPerSecond: 1, lower: 0, upper: 2 }],
      };
    },
  };
  const recorder = new ForecastRecorder(
    { targetsFile } as WorkerConfig,
    controllers as unknown as TargetsService,
    windows as unknown as LatestWindowsStore,
    predictor as unknown as PredictorHttpAdapter,
  );
  return { world, recorder };
}

describe(ForecastRecorder.name, () => {
  beforeEach(() => jest.useFakeTimers({ now: T0 }));
  afterEach(() => jest.useRealTimers());

  it('learns the service of a target added through the API, and forgets a removed one', async () => {
    const { world, recorder } = setup();
    recorder.onApplicationBootstrap();
    expect(recorder.targets().map((t) => t.id)).toEqual(['demo']);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(recorder.targets()).toEqual([
      { id: 'demo', service: 'checkout', horizon: 3 },
      { id: 'added', service: 'payments', horizon: 5 },
    ]);
    world.ids = ['demo'];
    await jest.advanceTimersByTimeAsync(1_000);
    expect(recorder.targets().map((t) => t.id)).toEqual(['demo']);
    await recorder.onApplicationShutdown();
  });

  it('asks for one forecast per service and closed window, with the policy horizon', async () => {
    const { world, recorder } = setup();
    recorder.onApplicationBootstrap();
    await jest.advanceTimersByTimeAsync(3_000);
    expect(world.asked).toEqual(['checkout:3', 'payments:5']);
    world.windowEnd = T0 + 10_000;
    await jest.advanceTimersByTimeAsync(1_000);
    expect(world.asked).toEqual(['checkout:3', 'payments:5', 'checkout:3', 'payments:5']);
    expect(recorder.history.between('checkout', T0, T0 + 30_000).map((p) => p.windowEnd)).toEqual([T0 + 10_000, T0 + 20_000]);
    await recorder.onApplicationShutdown();
  });
});
