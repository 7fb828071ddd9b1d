import type { TelemetryEventInput } from '@smartscale/contracts';

/** A random source in [0, 1): Math.random in the tool, a seeded one in specs. */
export type Random = () => number;

export interface MixOptions {
  services: string[];
  /** Fraction of request events with a 5xx status outside bursts. */
  errorRate: number;
  /** Every `everySeconds`, one service (in turn) has a burst of errors and slow requests for `forSeconds`. */
  burst: { everySeconds: number; forSeconds: number; errorRate: number; latencyFactor: number } | null;
}

/**
 * Share of each event type: mostly requests, as a service mesh or an agent would send them, with the
 * metrics, logs, clicks and explicit errors that ride along.
 */
export const TYPE_WEIGHTS = { request: 0.6, metric: 0.15, log: 0.12, click: 0.08, error: 0.05 } as const;
type MixType = keyof typeof TYPE_WEIGHTS;

const METRICS = ['cpu_utilization', 'memory_bytes', 'queue_depth'] as const;
const ROUTES = ['/', '/cart', '/checkout', '/search', '/api/items'] as const;

/** The service in a burst at elapsed second t, or null. Bursts take the services in turn. */
export function burstingService(o: MixOptions, t: number): string | null {
  if (!o.burst || o.services.length === 0) return null;
  const { everySeconds, forSeconds } = o.burst;
  const cycle = Math.floor(t / everySeconds);
  if (t < everySeconds || t - cycle * everySeconds >= forSeconds) return null;
  return o.services[(cycle - 1) % o.services.length];
}

/** One event of the mix at elapsed second t (wall time `now`). Pure given `rnd`. */
export function makeEvent(o: MixOptions, t: number, now: number, rnd: Random, id: string): TelemetryEventInput {
  const service = o.services[Math.floor(rnd() * o.services.length)];
  const bursting = burstingService(o, t) === service && o.burst !== null;
  const errorRate = bursting ? o.burst!.errorRate : o.errorRate;
  const slow = bursting ? o.burst!.latencyFactor : 1;
  const type = pickType(rnd());
  const base = { id, service, time: now };
  switch (type) {
    case 'request': {
      const failed = rnd() < errorRate;
      // Log-normal-ish latency: most requests fast, a long tail.
      const latencyMs = Math.round(slow * 8 * Math.exp(rnd() * 1.6 + (rnd() < 0.02 ? 2 : 0)) * 100) / 100;
      return {
        ...base,
        type,
        latencyMs,
        status: failed ? (rnd() < 0.7 ? 503 : 500) : 200,
        attributes: { route: ROUTES[Math.floor(rnd() * ROUTES.length)] },
      };
    }
    case 'error':
      return { ...base, type, status: 500, attributes: { kind: bursting ? 'upstream_timeout' : 'exception' } };
    case 'metric': {
      const name = METRICS[Math.floor(rnd() * METRICS.length)];
      return { ...base, type, name, value: Math.round(rnd() * 1000) / 10 };
    }
    case 'log':
      return { ...base, type, attributes: { level: bursting && rnd() < 0.5 ? 'error' : 'info' } };
    case 'click':
      return { ...base, type, attributes: { element: 'buy-button' } };
  }
}

function pickType(u: number): MixType {
  let acc = 0;
  for (const [type, w] of Object.entries(TYPE_WEIGHTS) as [MixType, number][]) {
    acc += w;
    if (u < acc) return type;
  }
  return 'request';
}
