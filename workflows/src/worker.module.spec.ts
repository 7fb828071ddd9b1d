import { Test } from '@nestjs/testing';
import { DecisionRecorder } from './activities/decision-recorder.adapter';
import { loadWorkerConfig } from './config/worker.config';
import { ConsoleService } from './console/console.service';
import { ForecastRecorder } from './console/forecast-recorder.service';
import { TargetsService } from './control/targets.service';
import { HistoryService } from './history/history.service';
import { ExternalScalerService } from './keda/external-scaler.service';
import { GroupLagProbe } from './observe/group-lag.probe';
import { LatestWindowsStore } from './observe/latest-windows.store';
import { ScalersService } from './scalers/scalers.service';
import { ControllerWorkerService } from './worker/controller-worker.service';
import { TemporalClientProvider } from './worker/temporal-client.provider';
import { WorkerModule } from './worker.module';

type Hook = 'onModuleInit' | 'onApplicationBootstrap' | 'onModuleDestroy' | 'onApplicationShutdown';

/** Every lifecycle hook of the worker's providers; each is replaced by a recorder, so nothing connects anywhere. */
const HOOKS: [{ name: string; prototype: object }, Hook[]][] = [
  [HistoryService, ['onModuleInit', 'onApplicationBootstrap', 'onApplicationShutdown']],
  [LatestWindowsStore, ['onApplicationBootstrap', 'onApplicationShutdown']],
  [GroupLagProbe, ['onApplicationShutdown']],
  [ScalersService, ['onApplicationShutdown']],
  [TemporalClientProvider, ['onApplicationShutdown']],
  [ControllerWorkerService, ['onApplicationBootstrap', 'onApplicationShutdown']],
  [DecisionRecorder, ['onApplicationShutdown']],
  [TargetsService, ['onApplicationBootstrap']],
  [ForecastRecorder, ['onApplicationBootstrap', 'onApplicationShutdown']],
  [ConsoleService, ['onModuleDestroy']],
  [ExternalScalerService, ['onApplicationBootstrap', 'onApplicationShutdown']],
];

describe(WorkerModule.name, () => {
  const calls: string[] = [];
  beforeEach(() => {
    calls.length = 0;
    for (const [cls, hooks] of HOOKS) {
      for (const hook of hooks)
        jest
          .spyOn(cls.prototype as Record<Hook, () => Promise<void>>, hook)
          .mockImplementation(async () => void calls.push(`${cls.name}.${hook}`));
    }
  });
  afterEach(() => jest.restoreAllMocks());

  const at = (call: string): number => {
    expect(calls).toContain(call);
    return calls.indexOf(call);
  };

  it('resolves every injection across its context modules, and starts the depended-on contexts first and stops them last', async () => {
    const app = await Test.createTestingModule({ imports: [WorkerModule.forConfig(loadWorkerConfig({}))] }).compile();
    await app.init();
    // history ← observe ← Temporal worker ← targets ← console, KEDA
    const started = ['HistoryService', 'LatestWindowsStore', 'ControllerWorkerService', 'TargetsService'].map((c) =>
      at(`${c}.onApplicationBootstrap`),
    );
    expect(started).toEqual([...started].sort((a, b) => a - b));
    expect(at('ForecastRecorder.onApplicationBootstrap')).toBeGreaterThan(at('TargetsService.onApplicationBootstrap'));
    expect(at('ExternalScalerService.onApplicationBootstrap')).toBeGreaterThan(at('TargetsService.onApplicationBootstrap'));

    await app.close();
    // The worker drains while the scalers, the readers and the history store are still open.
    const drained = at('ControllerWorkerService.onApplicationShutdown');
    for (const c of ['ForecastRecorder', 'ExternalScalerService']) expect(at(`${c}.onApplicationShutdown`)).toBeLessThan(drained);
    for (const c of ['ScalersService', 'LatestWindowsStore', 'GroupLagProbe'])
      expect(at(`${c}.onApplicationShutdown`)).toBeGreaterThan(drained);
    expect(at('HistoryService.onApplicationShutdown')).toBeGreaterThan(at('LatestWindowsStore.onApplicationShutdown'));
  });
});
