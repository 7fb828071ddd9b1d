import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { runClustered, runMain } from '@smartscale/ops';
import { createIngestApp } from './bootstrap';
import { loadIngestConfig } from './config/ingest.config';

runMain(async () => {
  const config = loadIngestConfig();
  // SMARTSCALE_INGEST_WORKERS > 1: that many processes share the port (libs/ops cluster.ts).
  runClustered('Ingest', config.http.workers, async () => {
    const app = await createIngestApp(config);
    await app.listen(config.http.port, config.http.host);
    Logger.log(`ingest listening on http://${config.http.host}:${config.http.port} (OpenAPI at /docs)`, 'Ingest');
  });
});
