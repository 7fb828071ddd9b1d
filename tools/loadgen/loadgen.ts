import { randomUUID } from 'node:crypto';
import { DDSketch } from '@datadog/sketches-js';
import { makeEvent, MixOptions } from './event-mix';
import { encodeSpans, rejectedSpans } from './otlp-spans';
import { rateAt, Shape } from './shapes';

export interface LoadOptions {
  url: string;
  /** The one service of request-only load (the default), and the fallback of `services`. */
  service: string;
  /** With a mix: the services events are spread over. */
  services?: string[];
  /** A realistic mix of request, error, metric, log and click events; default request events only. */
  mix?: boolean;
  burst?: MixOptions['burst'];
  shape: Shape;
  durationSeconds: number;
  batchSize: number;
  errorRate: number;
  apiKey?: string;
  /**
   * `events` (default): JSON to POST /v1/events. `otlp`: the same requests as OpenTelemetry SERVER spans,
   * binary protobuf to POST /v1/traces, as an SDK's OTLP exporter sends them (request events only).
   */
  protocol?: 'events' | 'otlp';
  /** Keep every accepted id (tests compare them with the topic); off for long runs. Default true. */
  keepIds?: boolean;
  /** Called once a second with the running totals, e.g. to print progress. */
  onSecond?: (s: LoadStats, rate: number, t: number) => void;
}

export interface LoadStats {
  sent: number;
  accepted: number;
  rejected: number;
  failed: number;
  requests: number;
  ids: string[];
  /** HTTP status (or "error" for no answer) → requests. */
  statuses: Record<string, number>;
  /** Event type → events sent. */
  types: Record<string, number>;
  /** Request round trip in ms, every request. */
  latency: DDSketch;
}

export interface LoadSummary {
  sent: number;
  accepted: number;
  rejected: number;
  failed: number;
  requests: number;
  elapsed_s: number;
  accepted_per_s: number;
  statuses: Record<string, number>;
  types: Record<string, number>;
  latency_ms: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
}

export const newStats = (): LoadStats => ({
  sent: 0,
  accepted: 0,
  rejected: 0,
  failed: 0,
  requests: 0,
  ids: [],
  statuses: {},
  types: {},
  latency: new DDSketch({ relativeAccuracy: 0.01 }),
});

export function latencyQuantile(s: LoadStats, q: number): number | null {
  return s.latency.count > 0 ? Math.round(s.latency.getValueAtQuantile(q) * 10) / 10 : null;
}

export function summarise(s: LoadStats, elapsedSeconds: number): LoadSummary {
  return {
    sent: s.sent,
    accepted: s.accepted,
    rejected: s.rejected,
    failed: s.failed,
    requests: s.requests,
    elapsed_s: Math.round(elapsedSeconds * 100) / 100,
    accepted_per_s: elapsedSeconds > 0 ? Math.round(s.accepted / elapsedSeconds) : 0,
    statuses: s.statuses,
    types: s.types,
    latency_ms: {
      p50: latencyQuantile(s, 0.5),
      p90: latencyQuantile(s, 0.9),
      p99: latencyQuantile(s, 0.99),
      max: s.latency.count > 0 ? Math.round(s.latency.max * 10) / 10 : null,
    },
  };
}

/**
 * Sends the shape's rate every second as batches of events with the current time. Bounded by
 * durationSeconds; every request is awaited, so it stops by itself and reports exactly what was accepted.
 */
export async function runLoad(o: LoadOptions): Promise<LoadStats> {
  const stats = newStats();
  const start = Date.now();
  let carry = 0;
  for (let t = 0; t < o.durationSeconds; t++) {
    const wanted = rateAt(o.shape, t) + carry;
    const n = Math.floor(wanted);
    carry = wanted - n;
    await sendSecond(o, n, t, stats);
    o.onSecond?.(stats, n, t);
    const wait = start + (t + 1) * 1000 - Date.now();
    if (wait > 0) await delay(wait);
  }
  return stats;
}

/** Spreads one second's events over the second in batches, so windows see a smooth rate. */
async function sendSecond(o: LoadOptions, n: number, t: number, stats: LoadStats): Promise<void> {
  const batches = Math.ceil(n / o.batchSize);
  const sends: Promise<void>[] = [];
  for (let b = 0; b < batches; b++) {
    const size = Math.min(o.batchSize, n - b * o.batchSize);
    sends.push(delay((b * 1000) / Math.max(1, batches)).then(() => sendBatch(o, size, t, stats)));
  }
  await Promise.all(sends);
}

function eventsFor(o: LoadOptions, size: number, t: number): { id: string; type: string }[] {
  const now = Date.now();
  if (o.mix) {
    const mix: MixOptions = { services: o.services?.length ? o.services : [o.service], errorRate: o.errorRate, burst: o.burst ?? null };
    return Array.from({ length: size }, () => makeEvent(mix, t, now, Math.random, randomUUID()) as { id: string; type: string });
  }
  return Array.from({ length: size }, () => {
    const error = Math.random() < o.errorRate;
    return {
      id: randomUUID(),
      service: o.service,
      type: 'request',
      time: now,
      latencyMs: 5 + Math.random() * 40,
      status: error ? 503 : 200,
    };
  });
}

async function sendBatch(o: LoadOptions, size: number, t: number, stats: LoadStats): Promise<void> {
  if (o.protocol === 'otlp') return sendSpans(o, size, stats);
  const events = eventsFor(o, size, t);
  for (const e of events) stats.types[e.type] = (stats.types[e.type] ?? 0) + 1;
  await post(o, size, stats, { path: '/v1/events', contentType: 'application/json', body: JSON.stringify(events) }, async (res) => {
    await res.arrayBuffer();
    if (res.status !== 202) return 0;
    if (o.keepIds !== false) for (const e of events) stats.ids.push(e.id);
    return size;
  });
}

/** One OTLP export of `size` SERVER spans; a partial success counts its rejected spans as rejected. */
async function sendSpans(o: LoadOptions, size: number, stats: LoadStats): Promise<void> {
  const now = Date.now();
  const requests = Array.from({ length: size }, () => ({
    service: o.service,
    time: now,
    latencyMs: 5 + Math.random() * 40,
    status: Math.random() < o.errorRate ? 503 : 200,
  }));
  const { body, ids } = encodeSpans(requests);
  stats.types.request = (stats.types.request ?? 0) + size;
  await post(o, size, stats, { path: '/v1/traces', contentType: 'application/x-protobuf', body }, async (res) => {
    const answer = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) return 0;
    const rejected = rejectedSpans(answer);
    // With a partial success the stored ids are not known one by one: keep them only when all were stored.
    if (o.keepIds !== false && rejected === 0) stats.ids.push(...ids);
    return size - rejected;
  });
}

/**
 * One request of `size` items, counted in `stats` whatever happens: `accepted` reads the answer and says
 * how many items were stored (the rest count as rejected); a request that never got an answer is failed.
 */
async function post(
  o: LoadOptions,
  size: number,
  stats: LoadStats,
  request: { path: string; contentType: string; body: string | Uint8Array },
  accepted: (res: Response) => Promise<number>,
): Promise<void> {
  stats.sent += size;
  stats.requests += 1;
  const headers: Record<string, string> = { 'content-type': request.contentType };
  if (o.apiKey) headers['x-api-key'] = o.apiKey;
  const t0 = performance.now();
  let status = 'error';
  try {
    const res = await fetch(`${o.url}${request.path}`, {
      method: 'POST',
      headers,
      body: request.body,
      signal: AbortSignal.timeout(10_000),
    });
    status = String(res.status);
    const stored = await accepted(res);
    stats.accepted += stored;
    stats.rejected += size - stored;
  } catch {
    stats.failed += size;
  } finally {
    stats.latency.accept(Math.max(0.001, performance.now() - t0));
    stats.statuses[status] = (stats.statuses[status] ?? 0) + 1;
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
