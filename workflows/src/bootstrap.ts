import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createHttpApp } from '@smartscale/ops';
import { WorkerConfig } from './config/worker.config';
import { WorkerAppModule } from './worker.module';

export function createWorkerApp(config: WorkerConfig): Promise<NestFastifyApplication> {
  return createHttpApp(WorkerAppModule.forConfig(config), {
    title: 'SmartScale control API',
    description: 'Targets, their controller status and decisions; pause and resume by signalling the workflow.',
  });
}
