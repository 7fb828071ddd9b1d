import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runMain } from '@smartscale/ops';
import { createWorkerApp } from './bootstrap';
import { loadWorkerConfig } from './config/worker.config';

runMain(async () => {
  const config = loadWorkerConfig();
  const app = await createWorkerApp(config);
  await app.listen(config.http.port, config.http.host);
  Logger.log(`control API on http://${config.http.host}:${config.http.port}/v1/targets (OpenAPI at /docs)`, 'Worker');
});
