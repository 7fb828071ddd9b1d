import { EVENT_LIMITS } from '@smartscale/contracts';
import type { AnyValue, Int64, KeyValue } from './otlp-model';

export type Scalar = string | number | boolean;
export type Attributes = Record<string, Scalar>;

/** The event schema's attribute key bound (libs/contracts events.ts: `z.string().max(64)`). */
const MAX_ATTRIBUTE_KEY_LENGTH = 64;

/** An array from either encoding, or nothing: a hostile JSON body may put anything anywhere. */
export const list = <T>(value: T[] | null | undefined): T[] => (Array.isArray(value) ? value : []);

/** 64-bit integers arrive as Long (protobuf), decimal string or number (JSON). NaN when unreadable. */
export function int64(value: Int64): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return value.trim() === '' ? NaN : Number(value);
  if (value !== null && typeof value === 'object' && typeof value.toNumber === 'function') return value.toNumber();
  return NaN;
}

/** Unix nanoseconds to epoch milliseconds; 0 (unset in proto3) and unreadable values give NaN. */
export function nanosToMs(value: Int64): number {
  const nanos = int64(value);
  return Number.isFinite(nanos) && nanos > 0 ? nanos / 1e6 : NaN;
}

/** Trace and span ids: bytes in protobuf, hex in OTLP/JSON; lowercase hex, or null when absent or bad. */
export function idHex(value: Uint8Array | string | null | undefined, bytes: number): string | null {
  if (value instanceof Uint8Array) return value.length === bytes ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex') : null;
  if (typeof value === 'string' && value.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(value)) return value.toLowerCase();
  return null;
}

/** A scalar attribute value within the event schema's bounds; arrays, maps and bytes are not kept. */
export function scalar(value: AnyValue | null | undefined): Scalar | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (typeof value.stringValue === 'string') return value.stringValue.slice(0, EVENT_LIMITS.maxAttributeValueLength);
  if (typeof value.boolValue === 'boolean') return value.boolValue;
  if (value.intValue !== null && value.intValue !== undefined) {
    const n = int64(value.intValue);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof value.doubleValue === 'number' && Number.isFinite(value.doubleValue)) return value.doubleValue;
  return undefined;
}

/** The first attribute named `key`, as a scalar. */
export function attribute(attributes: KeyValue[] | null | undefined, key: string): Scalar | undefined {
  for (const kv of list(attributes)) if (kv !== null && typeof kv === 'object' && kv.key === key) return scalar(kv.value);
  return undefined;
}

/**
 * Copies scalar attributes into `into` until it holds `EVENT_LIMITS.maxAttributes` keys. `only` picks
 * named keys (in the order given); without it every attribute is taken in order. Keys already present
 * win (callers add the most specific first). Returns how many were left out (over the limit, or not
 * representable), for the drop counter.
 */
export function copyAttributes(into: Attributes, attributes: KeyValue[] | null | undefined, options: { only?: readonly string[]; skip?: ReadonlySet<string> } = {}): number {
  const source = list(attributes);
  let dropped = 0;
  const take = (key: string, value: AnyValue | null | undefined): void => {
    if (key in into || options.skip?.has(key)) return;
    const v = scalar(value);
    if (v === undefined || key.length === 0 || key.length > MAX_ATTRIBUTE_KEY_LENGTH || Object.keys(into).length >= EVENT_LIMITS.maxAttributes) {
      dropped++;
      return;
    }
    into[key] = v;
  };
  if (options.only) {
    for (const key of options.only) {
      const kv = source.find((a) => a !== null && typeof a === 'object' && a.key === key);
      if (kv) take(key, kv.value);
    }
    return dropped;
  }
  for (const kv of source) {
    if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string') {
      dropped++;
      continue;
    }
    // Past the limit nothing more can be kept: count the rest without reading them (10,000 attributes).
    if (Object.keys(into).length >= EVENT_LIMITS.maxAttributes) return dropped + (source.length - source.indexOf(kv));
    take(kv.key, kv.value);
  }
  return dropped;
}
