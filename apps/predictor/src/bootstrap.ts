import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@smartscale/ops';
import { AppModule } from './app.module';
import { PredictorConfig } from './config/predictor.config';

export function createPredictorApp(config: PredictorConfig): Promise<NestFastifyApplication> {
  return createHttpApp(AppModule.forConfig(config), {
    title: 'SmartScale predictor',
    description: 'Short-term events/s forecasts per service, with prediction intervals.',
  });
}
