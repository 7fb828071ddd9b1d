import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runMain } from '@smartscale/ops';
import { createIngestApp } from './bootstrap';
import { loadIngestConfig } from './config/ingest.config';

runMain(async () => {
  const config = loadIngestConfig();
  const app = await createIngestApp(config);
  await app.listen(config.http.port, config.http.host);
  Logger.log(`ingest listening on http://${config.http.host}:${config.http.port} (OpenAPI at /docs)`, 'Ingest');
});
