import { Module } from '@nestjs/common';
import { BatchingModule } from '../batching/batching.module';
import { ExactlyOnceOutputModule } from '../exactly-once/exactly-once-output.module';
import { AggregatorMetricsModule } from '../metrics/aggregator-metrics.module';
import { WALL_CLOCK } from './wall-clock';
import { WindowsConsumer } from './windows.consumer';
import { WindowsController } from './windows.controller';
import { WindowsService } from './windows.service';

/**
 * Windows (docs/design/windows.md): the pure pipeline (WindowsService) and the consumer that drives it
 * over the exactly-once output and the batch settings. It consumes through the events transport
 * (EventsBatchServer), which main.ts connects: the controller takes its messages. Nothing is exported:
 * the transport is its only entry.
 */
@Module({
  imports: [AggregatorMetricsModule, ExactlyOnceOutputModule, BatchingModule],
  controllers: [WindowsController],
  providers: [WindowsService, WindowsConsumer, { provide: WALL_CLOCK, useValue: () => Date.now() }],
  exports: [],
})
export class WindowsModule {}
