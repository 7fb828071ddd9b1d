import { z } from 'zod';
import { kafkaEnv, loadEnv, port, windowEnv } from '@smartscale/config';

export const PREDICTOR_CONFIG = Symbol('PREDICTOR_CONFIG');

const shape = {
  ...kafkaEnv,
  ...windowEnv,
  SMARTSCALE_PREDICTOR_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_PREDICTOR_PORT: port(3002),
  SMARTSCALE_PREDICTOR_MAX_HORIZON: z.coerce.number().int().min(1).max(1000).default(30),
  SMARTSCALE_PREDICTOR_INSTANCE: z.string().default(`predictor-${process.pid}`),
};

export interface PredictorConfig {
  http: { host: string; port: number };
  kafka: { brokers: string[]; clientId: string };
  windowMs: number;
  maxHorizon: number;
}

export function loadPredictorConfig(env: NodeJS.ProcessEnv = process.env): PredictorConfig {
  const e = loadEnv(shape, env);
  return {
    http: { host: e.SMARTSCALE_PREDICTOR_HOST, port: e.SMARTSCALE_PREDICTOR_PORT },
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: e.SMARTSCALE_PREDICTOR_INSTANCE },
    windowMs: e.SMARTSCALE_WINDOW_MS,
    maxHorizon: e.SMARTSCALE_PREDICTOR_MAX_HORIZON,
  };
}
