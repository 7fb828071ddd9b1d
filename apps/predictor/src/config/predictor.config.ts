import { z } from 'zod';
import { kafkaEnv, kafkaSecurity, KafkaSecurity, loadEnv, port, windowEnv } from '@smartscale/config';

export const PREDICTOR_CONFIG = Symbol('PREDICTOR_CONFIG');

/** The environment this app reads (docs/configuration.md is generated from it: npm run docs:config). */
export const PREDICTOR_ENV_SHAPE = {
  ...kafkaEnv,
  ...windowEnv,
  SMARTSCALE_PREDICTOR_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_PREDICTOR_PORT: port(3002),
  SMARTSCALE_PREDICTOR_MAX_HORIZON: z.coerce.number().int().min(1).max(1000).default(30),
  /**
   * Seasonal periods in windows, shortest first: with 10 s windows, 360 is an hour and 8640 a day.
   * Hints only: the predictor finds each service's periods itself (docs/forecasting.md); a hint is
   * modelled until two of its cycles have been seen, then kept only if the data shows it, and a
   * detected period within 5 % of a hint takes the hint's exact length. Empty: no hints.
   */
  SMARTSCALE_PREDICTOR_PERIODS: z
    .string()
    .default('360,8640')
    .transform((s) => s.split(',').filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().min(2))),
  /**
   * Longest seasonal period looked for, in windows (8640: a day of 10 s windows). Each service keeps
   * twice this many window rates (about 140 KB at a day) to find it.
   */
  SMARTSCALE_PREDICTOR_MAX_PERIOD: z.coerce.number().int().min(8).max(100_000).default(8640),
  /** Windows older than this are learned but not published: a restart's replay must not flood the topics. */
  SMARTSCALE_PREDICTOR_PUBLISH_MAX_AGE_MS: z.coerce.number().int().positive().default(300_000),
  SMARTSCALE_PREDICTOR_INSTANCE: z.string().default(`predictor-${process.pid}`),
  /**
   * A service whose windows stopped arriving this long ago (wall clock) loses its model and its
   * per-service series (removed, counted in smartscale_predictor_models_evicted_total). An hour is the
   * longest gap a model fills with zero windows anyway (MAX_GAP_FILL).
   */
  SMARTSCALE_PREDICTOR_MODEL_IDLE_MS: z.coerce.number().int().positive().default(3_600_000),
  /**
   * At most this many models (and so per-service series) at once. Past it, windows of services without
   * a model are not learned (counted, reason model_cap) until idle ones are evicted: services already
   * modelled keep theirs however many names a client invents.
   */
  SMARTSCALE_PREDICTOR_MAX_MODELS: z.coerce.number().int().positive().default(1_000),
  /**
   * Windows ending further ahead of the predictor's clock than this are not learned (counted, reason
   * future): one would make every real window after it look old (a model keeps only newer windows).
   */
  SMARTSCALE_PREDICTOR_MAX_WINDOW_LEAD_MS: z.coerce.number().int().nonnegative().default(5_000),
};

export interface PredictorConfig {
  http: { host: string; port: number };
  kafka: { brokers: string[]; clientId: string; security: KafkaSecurity };
  windowMs: number;
  maxHorizon: number;
  /** hints for the seasonal periods, in windows */
  periods: number[];
  maxPeriod: number;
  publishMaxAgeMs: number;
  /** Bounds on per-service state: see the three settings in the schema above. */
  models: { idleMs: number; max: number; maxWindowLeadMs: number };
}

export function loadPredictorConfig(env: NodeJS.ProcessEnv = process.env): PredictorConfig {
  const e = loadEnv(PREDICTOR_ENV_SHAPE, env);
  return {
    http: { host: e.SMARTSCALE_PREDICTOR_HOST, port: e.SMARTSCALE_PREDICTOR_PORT },
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: e.SMARTSCALE_PREDICTOR_INSTANCE, security: kafkaSecurity(e) },
    windowMs: e.SMARTSCALE_WINDOW_MS,
    maxHorizon: e.SMARTSCALE_PREDICTOR_MAX_HORIZON,
    periods: e.SMARTSCALE_PREDICTOR_PERIODS,
    maxPeriod: e.SMARTSCALE_PREDICTOR_MAX_PERIOD,
    publishMaxAgeMs: e.SMARTSCALE_PREDICTOR_PUBLISH_MAX_AGE_MS,
    models: {
      idleMs: e.SMARTSCALE_PREDICTOR_MODEL_IDLE_MS,
      max: e.SMARTSCALE_PREDICTOR_MAX_MODELS,
      maxWindowLeadMs: e.SMARTSCALE_PREDICTOR_MAX_WINDOW_LEAD_MS,
    },
  };
}
