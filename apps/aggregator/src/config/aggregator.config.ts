import { z } from 'zod';
import { CONSUMER_GROUPS } from '@smartscale/contracts';
import { durationMs, kafkaEnv, loadEnv, windowEnv } from '@smartscale/config';

export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');

const shape = {
  ...kafkaEnv,
  ...windowEnv,
  SMARTSCALE_AGGREGATOR_GROUP: z.string().default(CONSUMER_GROUPS.aggregator),
  SMARTSCALE_AGGREGATOR_INSTANCE: z.string().default(`aggregator-${process.pid}`),
  SMARTSCALE_PARTITION_IDLE_MS: durationMs(5_000),
  SMARTSCALE_SERVICE_IDLE_MS: durationMs(300_000),
};

export interface AggregatorConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string };
  windows: { sizeMs: number; graceMs: number; partitionIdleMs: number; serviceIdleMs: number };
}

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const e = loadEnv(shape, env);
  return {
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: e.SMARTSCALE_AGGREGATOR_INSTANCE, groupId: e.SMARTSCALE_AGGREGATOR_GROUP },
    windows: { sizeMs: e.SMARTSCALE_WINDOW_MS, graceMs: e.SMARTSCALE_GRACE_MS, partitionIdleMs: e.SMARTSCALE_PARTITION_IDLE_MS, serviceIdleMs: e.SMARTSCALE_SERVICE_IDLE_MS },
  };
}
