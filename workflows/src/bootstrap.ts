import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@smartscale/ops';
import { WorkerConfig } from './config/worker.config';
import { ControlAccessGuard } from './control/control-access.guard';
import { WorkerModule } from './worker.module';

export async function createWorkerApp(config: WorkerConfig): Promise<NestFastifyApplication> {
  const app = await createHttpApp(WorkerModule.forConfig(config), {
    title: 'SmartScale control API',
    description: 'Targets, their controller status and decisions; pause and resume by signalling the workflow.',
    bodyLimitBytes: config.http.bodyLimitBytes,
  });
  // For every route, so that a /v1 route added later cannot miss it (Host, Origin, bearer token).
  app.useGlobalGuards(new ControlAccessGuard(config.http));
  return app;
}
