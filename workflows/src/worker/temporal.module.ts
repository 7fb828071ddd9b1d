import { Module } from '@nestjs/common';
import { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '@smartscale/ops';
import { DecisionRecorder } from '../activities/decision-recorder.adapter';
import { HistoryModule } from '../history/history.module';
import { ObserveModule } from '../observe/observe.module';
import { ScalersModule } from '../scalers/scalers.module';
import { ControllerWorkerService } from './controller-worker.service';
import { TemporalClientProvider } from './temporal-client.provider';
import { WorkerMetrics } from './worker-metrics';

/**
 * Temporal: the client connection (for the control API, the console and the target starter) and the
 * worker that runs the controller workflows with their activities' adapters. Only the client leaves it.
 */
@Module({
  imports: [ObserveModule, ScalersModule, HistoryModule],
  providers: [
    TemporalClientProvider,
    ControllerWorkerService,
    DecisionRecorder,
    { provide: WorkerMetrics, inject: [METRICS_REGISTRY], useFactory: (r: Registry) => new WorkerMetrics(r) },
  ],
  exports: [TemporalClientProvider],
})
export class TemporalModule {}
