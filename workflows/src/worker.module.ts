import { DynamicModule, Module } from '@nestjs/common';
import { KafkaModule } from '@smartscale/kafka';
import { configModule, OpsModule } from '@smartscale/ops';
import { WORKER_CONFIG, WorkerConfig } from './config/worker.config';
import { ConsoleModule } from './console/console.module';
import { TargetsModule } from './control/targets.module';
import { HistoryService } from './history/history.service';
import { HistoryModule } from './history/history.module';
import { KedaModule } from './keda/keda.module';
import { LatestWindowsStore } from './observe/latest-windows.store';
import { ObserveModule } from './observe/observe.module';
import { ScalersModule } from './scalers/scalers.module';
import { TemporalClientProvider } from './worker/temporal-client.provider';
import { TemporalModule } from './worker/temporal.module';

/**
 * The worker app: the Temporal worker, the control REST API, the console, the history and the KEDA
 * external scaler, one module per context. It only composes. Nest runs the contexts' start hooks from
 * the most depended-on (history, then observe and scalers, then Temporal) to the least (targets, then
 * the console and KEDA), and their stop hooks in the reverse order.
 */
@Module({})
export class WorkerModule {
  static forConfig(config: WorkerConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        configModule(WORKER_CONFIG, config),
        KafkaModule.forRoot(config.kafka),
        OpsModule.forRoot({
          app: 'worker',
          readiness: [LatestWindowsStore, TemporalClientProvider, HistoryService],
          imports: [ObserveModule, TemporalModule, HistoryModule],
        }),
        HistoryModule,
        ObserveModule,
        ScalersModule,
        TemporalModule,
        TargetsModule,
        ConsoleModule,
        KedaModule,
      ],
    };
  }
}
