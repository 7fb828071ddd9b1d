import type { AggregatorConfig, BatchingConfig } from '../../apps/aggregator/src/config/aggregator.config';

/**
 * Settings the aggregator's unit specs share, spelled out rather than read from the environment's
 * defaults so that a changed default cannot silently change what a spec checks.
 */
export const SPEC_WINDOWS: Omit<AggregatorConfig['windows'], 'hopping'> = {
  sizeMs: 10_000,
  graceMs: 2_000,
  partitionIdleMs: 600_000,
  serviceIdleMs: 600_000,
  clock: { maxStreamLeadMs: 0, maxFutureMs: 120_000 },
};

export const SPEC_PACER: BatchingConfig['pacer'] = {
  minIntervalMs: 20,
  maxIntervalMs: 1_000,
  minRecords: 100,
  maxRecords: 10_000,
  targetLatencyMs: 500,
  caughtUpLag: 100,
  calmBatches: 2,
  increaseFactor: 2,
  decreaseStepMs: 20,
};
