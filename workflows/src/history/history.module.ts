import { Module } from '@nestjs/common';
import { HistoryController } from './history.controller';
import { HistoryService } from './history.service';

/**
 * The SQL history (decisions, windows, aggregator micro-batches) and its REST routes. Nest starts it
 * before every module that imports it and stops it after them, so the store is open while the worker
 * drains its last record activities.
 */
@Module({
  controllers: [HistoryController],
  providers: [HistoryService],
  // Observe feeds it windows, the decision recorder writes decisions, the console reads both.
  exports: [HistoryService],
})
export class HistoryModule {}
