import type { TelemetryEvent } from './events';

/**
 * How accepted events are stored on the events topic. A record holds either one event (a JSON object,
 * the original form, still written with `maxEvents: 1` and still read) or several events of one
 * service (a JSON array), keyed by that service either way. Packing matters on a small machine: the
 * broker's and the client's work is mostly per record, so 200-byte records cap ingest near the
 * broker's records/s whatever the API does (README, "Ingest throughput").
 */
/** Ingest's default bound of events per record (SMARTSCALE_INGEST_EVENTS_PER_RECORD). */
export const DEFAULT_EVENTS_PER_RECORD = 200;

export interface EventRecord {
  key: string;
  value: string;
  /** the newest event time in the record: retention keeps the record while any of its events is young enough */
  timestamp: string;
  /** how many events the record holds */
  events: number;
}

export interface PackLimits {
  /** at most this many events per record; 1 writes one event per record */
  maxEvents: number;
  /** at most this many value bytes per record (a single larger event still gets its own record) */
  maxBytes: number;
}

/** Events of one request as records: grouped by service (order kept within a service), then cut by count and bytes. */
export function packEvents(events: readonly TelemetryEvent[], limits: PackLimits): EventRecord[] {
  if (events.length === 1) {
    // the common single-event request, without the grouping
    const [e] = events;
    const json = JSON.stringify(e);
    return [{ key: e.service, value: limits.maxEvents === 1 ? json : `[${json}]`, timestamp: String(e.time), events: 1 }];
  }
  const byService = new Map<string, TelemetryEvent[]>();
  for (const e of events) {
    const list = byService.get(e.service);
    if (list) list.push(e);
    else byService.set(e.service, [e]);
  }
  const records: EventRecord[] = [];
  for (const [service, list] of byService) {
    let parts: string[] = [];
    let bytes = 0;
    let newest = 0;
    const flush = (): void => {
      if (parts.length === 0) return;
      const value = limits.maxEvents === 1 ? parts[0] : `[${parts.join(',')}]`;
      records.push({ key: service, value, timestamp: String(newest), events: parts.length });
      parts = [];
      bytes = 0;
      newest = 0;
    };
    for (const e of list) {
      const json = JSON.stringify(e);
      if (parts.length > 0 && (parts.length >= limits.maxEvents || bytes + json.length + 1 > limits.maxBytes)) flush();
      parts.push(json);
      bytes += json.length + 1;
      newest = Math.max(newest, e.time);
    }
    flush();
  }
  return records;
}

/**
 * The items of one stored record, not validated yet (consumers validate each one: CONVENTIONS §5), or
 * why the record itself is unreadable. An object is one event; an array is several.
 */
export function unpackEventRecord(value: Buffer | string | null): { items: unknown[] } | { error: string } {
  if (value === null || value.length === 0) return { error: 'empty record value' };
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  if (Array.isArray(json)) return json.length > 0 ? { items: json } : { error: 'an empty array of events' };
  return { items: [json] };
}
