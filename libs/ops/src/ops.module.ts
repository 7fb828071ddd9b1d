import { Controller, DynamicModule, Get, Global, Header, HttpCode, Inject, Module, Res, Type } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { metricsText } from './cluster';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
const METRICS_TEXT = Symbol('METRICS_TEXT');

/** A named dependency the app cannot serve without (the broker, Temporal...). */
export interface ReadinessCheck {
  name: string;
  check(): Promise<boolean>;
}

@ApiExcludeController()
@Controller()
class OpsController {
  constructor(
    @Inject(METRICS_TEXT) private readonly text: () => Promise<string>,
    @Inject(READINESS_CHECKS) private readonly checks: ReadinessCheck[],
  ) {}

  /** Liveness: the process answers. Readiness: every dependency answers; 503 lists which do not. */
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) reply: FastifyReply): Promise<Record<string, unknown>> {
    const results = await Promise.all(this.checks.map(async (c) => [c.name, await c.check().catch(() => false)] as const));
    const ready = results.every(([, ok]) => ok);
    if (!ready) void reply.status(503);
    return { live: true, ready, checks: Object.fromEntries(results) };
  }

  @Get('metrics')
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.text();
  }
}

/**
 * /health and /metrics for every app, with one prom-client registry per app (not the global one, so
 * that tests can run several apps in one process).
 */
@Global()
@Module({})
export class OpsModule {
  /** `readiness` names providers exported by `imports`; they are injected here, not created twice. */
  static forRoot(options: { app: string; readiness: Type<ReadinessCheck>[]; imports?: DynamicModule['imports'] }): DynamicModule {
    return {
      module: OpsModule,
      imports: options.imports ?? [],
      controllers: [OpsController],
      providers: [
        {
          provide: METRICS_REGISTRY,
          useFactory: () => {
            const registry = new Registry();
            registry.setDefaultLabels({ app: options.app });
            collectDefaultMetrics({ register: registry });
            return registry;
          },
        },
        { provide: METRICS_TEXT, inject: [METRICS_REGISTRY], useFactory: metricsText },
        { provide: READINESS_CHECKS, inject: options.readiness, useFactory: (...checks: ReadinessCheck[]) => checks },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}

/** Makes an app's validated config injectable everywhere under its token. */
export function configModule<T>(token: symbol, value: T): DynamicModule {
  class AppConfigModule {}
  return { module: AppConfigModule, global: true, providers: [{ provide: token, useValue: value }], exports: [token] };
}
