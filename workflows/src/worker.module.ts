import { DynamicModule, Module } from '@nestjs/common';
import { configModule, OpsModule } from '@smartscale/ops';
import { DecisionRecorder } from './activities/decision-recorder.adapter';
import { WORKER_CONFIG, WorkerConfig } from './config/worker.config';
import { ControllersService } from './control/controllers.service';
import { TargetsController } from './control/targets.controller';
import { GroupLagProbe } from './observe/group-lag.probe';
import { LatestWindowsStore } from './observe/latest-windows.store';
import { PredictorClient } from './observe/predictor.client';
import { ScalersService } from './scalers/scalers.service';
import { ControllerWorkerService } from './worker/controller-worker.service';
import { TemporalClientProvider } from './worker/temporal-client.provider';

@Module({
  controllers: [TargetsController],
  providers: [GroupLagProbe, LatestWindowsStore, PredictorClient, ScalersService, DecisionRecorder, TemporalClientProvider, ControllerWorkerService, ControllersService],
  exports: [LatestWindowsStore, TemporalClientProvider],
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
        OpsModule.forRoot({ app: 'worker', readiness: [LatestWindowsStore, TemporalClientProvider], imports: [ControllerModule] }),
        ControllerModule,
      ],
    };
  }
}
