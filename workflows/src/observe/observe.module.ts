import { Module } from '@nestjs/common';
import { HistoryModule } from '../history/history.module';
import { GroupLagProbe } from './group-lag.probe';
import { LatestWindowsStore } from './latest-windows.store';
import { PredictorClient } from './predictor.client';

/** What the observe and predict steps read: the newest window per service, the aggregator's lag, the forecast. */
@Module({
  imports: [HistoryModule],
  providers: [LatestWindowsStore, GroupLagProbe, PredictorClient],
  exports: [LatestWindowsStore, GroupLagProbe, PredictorClient],
})
export class ObserveModule {}
