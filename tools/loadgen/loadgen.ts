import { randomUUID } from 'node:crypto';
import { rateAt, Shape } from './shapes';

export interface LoadOptions {
  url: string;
  service: string;
  shape: Shape;
  durationSeconds: number;
  batchSize: number;
  errorRate: number;
  /** Called once a second with the running totals, e.g. to print progress. */
  onSecond?: (s: LoadStats, rate: number, t: number) => void;
}

export interface LoadStats {
  sent: number;
  accepted: number;
  rejected: number;
  failed: number;
  ids: string[];
}

/**
 * Sends the shape's rate every second as batches of events with the current time. Bounded by
 * durationSeconds; every request is awaited, so it stops by itself and reports exactly what was accepted.
 */
export async function runLoad(o: LoadOptions): Promise<LoadStats> {
  const stats: LoadStats = { sent: 0, accepted: 0, rejected: 0, failed: 0, ids: [] };
  const start = Date.now();
  let carry = 0;
  for (let t = 0; t < o.durationSeconds; t++) {
    const wanted = rateAt(o.shape, t) + carry;
    const n = Math.floor(wanted);
    carry = wanted - n;
    await sendSecond(o, n, stats);
    o.onSecond?.(stats, n, t);
    const wait = start + (t + 1) * 1000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  return stats;
}

/** Spreads one second's events over the second in batches, so windows see a smooth rate. */
async function sendSecond(o: LoadOptions, n: number, stats: LoadStats): Promise<void> {
  const batches = Math.ceil(n / o.batchSize);
  const sends: Promise<void>[] = [];
  for (let b = 0; b < batches; b++) {
    const size = Math.min(o.batchSize, n - b * o.batchSize);
    sends.push(delay((b * 1000) / Math.max(1, batches)).then(() => sendBatch(o, size, stats)));
  }
  await Promise.all(sends);
}

async function sendBatch(o: LoadOptions, size: number, stats: LoadStats): Promise<void> {
  const now = Date.now();
  const events = Array.from({ length: size }, () => {
    const error = Math.random() < o.errorRate;
    return { id: randomUUID(), service: o.service, type: 'request', time: now, latencyMs: 5 + Math.random() * 40, status: error ? 503 : 200 };
  });
  stats.sent += size;
  try {
    const res = await fetch(`${o.url}/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events), signal: AbortSignal.timeout(10_000) });
    if (res.status === 202) {
      stats.accepted += size;
      for (const e of events) stats.ids.push(e.id);
    } else stats.rejected += size;
  } catch {
    stats.failed += size;
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
