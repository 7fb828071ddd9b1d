import { z } from 'zod';
import { CONSUMER_GROUPS, TOPICS } from '@smartscale/contracts';
import { durationMs, kafkaEnv, loadEnv, port, windowEnv } from '@smartscale/config';

export const AGGREGATOR_CONFIG = Symbol('AGGREGATOR_CONFIG');

const shape = {
  ...kafkaEnv,
  ...windowEnv,
  SMARTSCALE_AGGREGATOR_GROUP: z.string().default(CONSUMER_GROUPS.aggregator),
  SMARTSCALE_AGGREGATOR_INSTANCE: z.string().default(`aggregator-${process.pid}`),
  SMARTSCALE_PARTITION_IDLE_MS: durationMs(5_000),
  SMARTSCALE_SERVICE_IDLE_MS: durationMs(300_000),
  // Overridable so that integration tests and benchmarks get topics of their own on a shared broker.
  SMARTSCALE_AGGREGATOR_EVENTS_TOPIC: z.string().min(1).default(TOPICS.events),
  SMARTSCALE_AGGREGATOR_METRICS_TOPIC: z.string().min(1).default(TOPICS.metrics),
  SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC: z.string().min(1).default(TOPICS.deadLetter),
  // Off by default: the local scaler runs N replicas on one host, which would fight over one port.
  // Containers and pods (one replica each) set it so that Prometheus can scrape /metrics.
  SMARTSCALE_AGGREGATOR_METRICS_HOST: z.string().default('127.0.0.1'),
  SMARTSCALE_AGGREGATOR_METRICS_PORT: port(0),
};

export interface AggregatorConfig {
  kafka: { brokers: string[]; clientId: string; groupId: string };
  topics: { events: string; metrics: string; deadLetter: string };
  windows: { sizeMs: number; graceMs: number; partitionIdleMs: number; serviceIdleMs: number };
  /** Where /health and /metrics are served; null (port 0) for none. */
  http: { host: string; port: number } | null;
}

export function loadAggregatorConfig(env: NodeJS.ProcessEnv = process.env): AggregatorConfig {
  const e = loadEnv(shape, env);
  return {
    kafka: { brokers: e.SMARTSCALE_KAFKA_BROKERS, clientId: e.SMARTSCALE_AGGREGATOR_INSTANCE, groupId: e.SMARTSCALE_AGGREGATOR_GROUP },
    topics: { events: e.SMARTSCALE_AGGREGATOR_EVENTS_TOPIC, metrics: e.SMARTSCALE_AGGREGATOR_METRICS_TOPIC, deadLetter: e.SMARTSCALE_AGGREGATOR_DEAD_LETTER_TOPIC },
    windows: { sizeMs: e.SMARTSCALE_WINDOW_MS, graceMs: e.SMARTSCALE_GRACE_MS, partitionIdleMs: e.SMARTSCALE_PARTITION_IDLE_MS, serviceIdleMs: e.SMARTSCALE_SERVICE_IDLE_MS },
    http: e.SMARTSCALE_AGGREGATOR_METRICS_PORT === 0 ? null : { host: e.SMARTSCALE_AGGREGATOR_METRICS_HOST, port: e.SMARTSCALE_AGGREGATOR_METRICS_PORT },
  };
}
