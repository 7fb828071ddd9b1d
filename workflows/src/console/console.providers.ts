import { ConsoleController } from './console.controller';
import { ConsoleService } from './console.service';
import { ForecastRecorder } from './forecast-recorder.service';
import { PredictorHttpAdapter } from './predictor-http.adapter';

/**
 * The console lives in the worker's controller module (it reads TargetsService, the history and
 * the windows store, which that module does not export), so it is registered there with these lists.
 */
export const CONSOLE_CONTROLLERS = [ConsoleController];
export const CONSOLE_PROVIDERS = [PredictorHttpAdapter, ForecastRecorder, ConsoleService];
