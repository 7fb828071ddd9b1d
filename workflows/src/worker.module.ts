import { DynamicModule, Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { configModule, METRICS_REGISTRY, OpsModule } from '@smartscale/ops';
import { DecisionRecorder } from './activities/decision-recorder.adapter';
import { WORKER_CONFIG, WorkerConfig } from './config/worker.config';
import { TargetsService } from './control/targets.service';
import { TargetsController } from './control/targets.controller';
import { CONSOLE_CONTROLLERS, CONSOLE_PROVIDERS } from './console/console.providers';
import { ExternalScalerService } from './keda/external-scaler.service';
import { KedaDecisions } from './keda/keda-decisions';
import { GroupLagProbe } from './observe/group-lag.probe';
import { LatestWindowsStore } from './observe/latest-windows.store';
import { PredictorClient } from './observe/predictor.client';
import { ScalersService } from './scalers/scalers.service';
import { HistoryController } from './history/history.controller';
import { HistoryService } from './history/history.service';
import { ControllerWorkerService } from './worker/controller-worker.service';
import { TemporalClientProvider } from './worker/temporal-client.provider';
import { WorkerMetrics } from './worker/worker-metrics';

@Module({
  controllers: [TargetsController, HistoryController, ...CONSOLE_CONTROLLERS],
  providers: [
    HistoryService,
    GroupLagProbe,
    LatestWindowsStore,
    PredictorClient,
    ScalersService,
    KedaDecisions,
    ExternalScalerService,
    DecisionRecorder,
    TemporalClientProvider,
    ControllerWorkerService,
    TargetsService,
    ...CONSOLE_PROVIDERS,
    { provide: WorkerMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new WorkerMetrics(r) },
  ],
  exports: [LatestWindowsStore, TemporalClientProvider, HistoryService],
})
class ControllerModule {}

/** The worker app: Temporal worker, its activities' adapters, and the control REST API. */
@Module({})
export class WorkerAppModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerAppModule,
      imports: [
        configModule(WORKER_CONFIG, config),
        OpsModule.forRoot({ app: 'worker', readiness: [LatestWindowsStore, TemporalClientProvider, HistoryService], imports: [ControllerModule] }),
        ControllerModule,
      ],
    };
  }
}
