import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

export interface HttpAppOptions {
  title: string;
  description: string;
  bodyLimitBytes?: number;
}

/** Builds a Fastify-backed Nest app with OpenAPI at /docs, without listening: tests and main.ts share it. */
export async function createHttpApp(root: DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter(options.bodyLimitBytes ? { bodyLimit: options.bodyLimitBytes } : {});
  const app = await NestFactory.create<NestFastifyApplication>(root, adapter, { logger: ['error', 'warn', 'log'] });
  const doc = new DocumentBuilder().setTitle(options.title).setDescription(options.description).setVersion('1').build();
  SwaggerModule.setup('docs', app, () => SwaggerModule.createDocument(app, doc));
  app.enableShutdownHooks();
  return app;
}

/** Runs an app's main and turns a boot failure into one message and exit code 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exit(1);
  });
}
