import { DynamicModule, Module } from '@nestjs/common';
import { configModule, OpsModule } from '@smartscale/ops';
import { AGGREGATOR_CONFIG, AggregatorConfig } from './config/aggregator.config';
import { WindowsModule } from './windows/windows.module';

@Module({})
export class AppModule {
  static forConfig(config: AggregatorConfig): DynamicModule {
    return { module: AppModule, imports: [configModule(AGGREGATOR_CONFIG, config), OpsModule.forRoot({ app: 'aggregator', readiness: [] }), WindowsModule] };
  }
}
