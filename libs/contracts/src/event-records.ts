import type { TelemetryEvent } from './events';

/**
 * How accepted events are stored on the events topic. A record holds either one event (a JSON object,
 * the original form, still written with `maxEvents: 1` and still read) or several events of one
 * service (a JSON array), keyed by that service either way. Packing matters on a small machine: the
 * broker's and the client's work is mostly per record, so 200-byte records cap ingest near the
 * broker's records/s whatever the API does (docs/benchmarks.md).
 */
/** Ingest's default bound of events per record (SMARTSCALE_INGEST_EVENTS_PER_RECORD). */
export const DEFAULT_EVENTS_PER_RECORD = 200;
/**
 * Ingest's bound of one packed record's value: well under a produce request (512 kB), so several
 * services' records share one, and far under the broker's max.message.bytes (1 MiB).
 */
export const MAX_EVENT_RECORD_BYTES = 128 * 1024;

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
  // One JSON.stringify per record, not per event: cut by count, then halve a part over the byte bound.
  const emit = (service: string, part: TelemetryEvent[]): void => {
    const value = limits.maxEvents === 1 ? JSON.stringify(part[0]) : JSON.stringify(part);
    if (value.length > limits.maxBytes && part.length > 1) {
      const half = Math.ceil(part.length / 2);
      emit(service, part.slice(0, half));
      emit(service, part.slice(half));
      return;
    }
    let newest = 0;
    for (const e of part) newest = Math.max(newest, e.time);
    records.push({ key: service, value, timestamp: String(newest), events: part.length });
  };
  for (const [service, list] of byService) {
    for (let i = 0; i < list.length; i += limits.maxEvents) emit(service, list.slice(i, i + limits.maxEvents));
  }
  return records;
}

/**
 * Records bound for one produce request, merged per key: ingest groups concurrent requests into one
 * send, and without this each single-event request would cost the broker and kafkajs a record of its
 * own. Within a key, order is kept; a merged record keeps to the same limits as `packEvents`. Records
 * in the one-event form (`maxEvents: 1`, a JSON object) are left as they are. The inputs are not changed.
 */
export function mergeRecords(records: readonly EventRecord[], limits: PackLimits): EventRecord[] {
  if (limits.maxEvents <= 1 || records.length < 2) return records as EventRecord[];
  const filling = new Map<string, EventRecord>();
  const out: EventRecord[] = [];
  for (const r of records) {
    const array = r.value.startsWith('[');
    const into = filling.get(r.key);
    if (array && into && into.events + r.events <= limits.maxEvents && into.value.length + r.value.length - 1 <= limits.maxBytes) {
      into.value = `${into.value.slice(0, -1)},${r.value.slice(1)}`;
      into.events += r.events;
      if (Number(r.timestamp) > Number(into.timestamp)) into.timestamp = r.timestamp;
      continue;
    }
    const record = { key: r.key, value: r.value, timestamp: r.timestamp, events: r.events };
    out.push(record);
    if (array) filling.set(r.key, record);
    else filling.delete(r.key);
  }
  return out;
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
