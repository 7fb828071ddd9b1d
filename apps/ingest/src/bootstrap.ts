import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@smartscale/ops';
import { AppModule } from './app.module';
import { IngestConfig } from './config/ingest.config';

export function createIngestApp(config: IngestConfig): Promise<NestFastifyApplication> {
  return createHttpApp(AppModule.forConfig(config), {
    title: 'SmartScale ingest',
    description: 'Telemetry in: 202 means the broker stored every event of the request.',
    bodyLimitBytes: config.http.bodyLimitBytes,
    timeouts: config.http.timeouts,
  });
}
