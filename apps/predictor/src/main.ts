import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runMain } from '@smartscale/ops';
import { createPredictorApp } from './bootstrap';
import { loadPredictorConfig } from './config/predictor.config';

runMain(async () => {
  const config = loadPredictorConfig();
  const app = await createPredictorApp(config);
  await app.listen(config.http.port, config.http.host);
  Logger.log(`predictor listening on http://${config.http.host}:${config.http.port}`, 'Predictor');
});
