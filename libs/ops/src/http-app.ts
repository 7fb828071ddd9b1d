import { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/**
 * Server-side timeouts for an app that takes request bodies from untrusted clients. Without them a
 * client that sends headers and then stalls holds its socket (and whatever it reserved) for ever.
 */
export interface HttpServerTimeouts {
  /** All request headers received within this, or 408 and the socket closed (slow-loris). */
  headersMs: number;
  /** The whole request, body included, received within this, or 408 and the socket closed. */
  requestMs: number;
  /** A socket with no bytes moving either way for this long is destroyed. */
  idleMs: number;
  /** An idle keep-alive socket between requests is closed after this long. */
  keepAliveMs: number;
}

export interface HttpAppOptions {
  title: string;
  description: string;
  bodyLimitBytes?: number;
  /** Unset: Fastify's and Node's defaults (no request or idle timeout), as every app had before. */
  timeouts?: HttpServerTimeouts;
}

/** Fastify options for the timeouts; Node checks header and request deadlines every connectionsCheckingInterval. */
export function fastifyTimeoutOptions(t: HttpServerTimeouts): {
  connectionTimeout: number;
  keepAliveTimeout: number;
  requestTimeout: number;
  http: { headersTimeout: number; requestTimeout: number; connectionsCheckingInterval: number };
} {
  // Node refuses headersTimeout > requestTimeout, and only notices an expired deadline on its periodic
  // check (30 s by default, longer than the deadlines themselves): check often enough to honour them.
  const headersMs = Math.min(t.headersMs, t.requestMs);
  const interval = Math.max(100, Math.min(1000, Math.floor(headersMs / 4)));
  return {
    connectionTimeout: t.idleMs,
    keepAliveTimeout: t.keepAliveMs,
    requestTimeout: t.requestMs,
    http: { headersTimeout: headersMs, requestTimeout: t.requestMs, connectionsCheckingInterval: interval },
  };
}

/** Builds a Fastify-backed Nest app with OpenAPI at /docs, without listening: tests and main.ts share it. */
export async function createHttpApp(root: DynamicModule, options: HttpAppOptions): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    ...(options.bodyLimitBytes ? { bodyLimit: options.bodyLimitBytes } : {}),
    ...(options.timeouts ? fastifyTimeoutOptions(options.timeouts) : {}),
  });
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
