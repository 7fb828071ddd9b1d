import type { WindowMetric } from '@smartscale/contracts';

/** A closed 10 s window of `checkout` with no traffic, ending at `windowEnd`; override what a test needs. */
export function windowMetric(windowEnd: number, over: Partial<WindowMetric> = {}): WindowMetric {
  return {
    v: 1,
    service: 'checkout',
    windowStart: windowEnd - 10_000,
    windowEnd,
    count: 0,
    eventsPerSecond: 0,
    errorCount: 0,
    errorRate: 0,
    countByType: {},
    latencyP50: null,
    latencyP95: null,
    latencyP99: null,
    consumerLag: 0,
    partition: 0,
    emittedAt: windowEnd,
    ...over,
  };
}
