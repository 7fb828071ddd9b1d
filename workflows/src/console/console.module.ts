import { Module } from '@nestjs/common';
import { TargetsModule } from '../control/targets.module';
import { HistoryModule } from '../history/history.module';
import { ObserveModule } from '../observe/observe.module';
import { TemporalModule } from '../worker/temporal.module';
import { ConsoleController } from './console.controller';
import { ConsoleService } from './console.service';
import { ForecastRecorder } from './forecast-recorder.service';
import { PredictorHttpAdapter } from './predictor-http.adapter';

/** The live console: its page, its event stream and the forecasts it records; it reads the other contexts and exports nothing. */
@Module({
  imports: [TargetsModule, HistoryModule, ObserveModule, TemporalModule],
  controllers: [ConsoleController],
  providers: [ConsoleService, ForecastRecorder, PredictorHttpAdapter],
})
export class ConsoleModule {}
