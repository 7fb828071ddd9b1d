import type { Context } from '@temporalio/activity';
import { Registry } from 'prom-client';
import type { Decision } from '@smartscale/contracts';
import { metricSample } from '@smartscale/testing';
import { WorkerMetrics } from './worker-metrics';

const decision = (action: Decision['action'], from: number, to: number): Decision => ({
  seq: 1,
  at: 0,
  action,
  from,
  to,
  reasons: [],
  inputs: {
    observedEventsPerSecond: 1,
    observedWindowEnd: 0,
    forecastPeakEventsPerSecond: null,
    forecastUsed: false,
    anomalyScore: null,
    consumerLag: null,
  },
  applied: action !== 'hold',
});

/** Runs one activity attempt through the interceptor, as the worker would. */
function attempt(metrics: WorkerMetrics, activityType: string, n: number, body: () => Promise<unknown>): Promise<unknown> {
  const ctx = { info: { activityType, attempt: n } } as unknown as Context;
  const execute = metrics.activityInterceptor()(ctx).inbound?.execute;
  if (!execute) throw new Error('no inbound execute interceptor');
  return execute({ args: [], headers: {} }, () => body());
}

describe(WorkerMetrics.name, () => {
  it('counts decisions by target and action and keeps desired and ready replicas of the last one', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry);
    metrics.decisionRecorded('demo', decision('up', 1, 3), 1_000_000);
    metrics.decisionRecorded('demo', decision('hold', 3, 3), 1_010_000);
    expect(await metricSample(registry, 'smartscale_worker_decisions_total', { target: 'demo', action: 'up' })).toBe(1);
    expect(await metricSample(registry, 'smartscale_worker_decisions_total', { target: 'demo', action: 'hold' })).toBe(1);
    expect(await metricSample(registry, 'smartscale_worker_desired_replicas', { target: 'demo' })).toBe(3);
    expect(await metricSample(registry, 'smartscale_worker_ready_replicas', { target: 'demo' })).toBe(3);
    expect(await metricSample(registry, 'smartscale_worker_last_decision_timestamp_seconds', { target: 'demo' })).toBe(1010);
  });

  it('counts attempts after the first as retries, and failed attempts, and rethrows the failure', async () => {
    const registry = new Registry();
    const metrics = new WorkerMetrics(registry);
    await expect(attempt(metrics, 'apply', 1, () => Promise.reject(new Error('scaler down')))).rejects.toThrow('scaler down');
    await expect(attempt(metrics, 'apply', 2, () => Promise.resolve(3))).resolves.toBe(3);
    await attempt(metrics, 'observe', 1, () => Promise.resolve(null));
    expect(await metricSample(registry, 'smartscale_worker_activity_retries_total', { activity: 'apply' })).toBe(1);
    expect(await metricSample(registry, 'smartscale_worker_activity_retries_total', { activity: 'observe' })).toBeUndefined();
    expect(await metricSample(registry, 'smartscale_worker_activity_executions_total', { activity: 'apply', outcome: 'failed' })).toBe(1);
    expect(await metricSample(registry, 'smartscale_worker_activity_executions_total', { activity: 'apply', outcome: 'completed' })).toBe(
      1,
    );
    expect(await metricSample(registry, 'smartscale_worker_activity_duration_seconds_count', { activity: 'apply' })).toBe(2);
  });
});
