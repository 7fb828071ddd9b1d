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
  if (value instanceof Uint8Array)
    return value.length === bytes ? Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex') : null;
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
 * The attributes of one event, filled most specific first, within the event schema's limits (at most
 * EVENT_LIMITS.maxAttributes keys of at most 64 characters, scalar values). A key already present
 * wins; what does not fit or is not a scalar is counted in `dropped`, never an error.
 */
export class AttributeBag {
  readonly values: Attributes = {};
  size = 0;
  dropped = 0;

  get full(): boolean {
    return this.size >= EVENT_LIMITS.maxAttributes;
  }

  put(key: string, value: Scalar | undefined): void {
    if (Object.prototype.hasOwnProperty.call(this.values, key)) return;
    // `__proto__` cannot be an own key of a plain object: refused rather than silently lost.
    if (value === undefined || key.length === 0 || key.length > MAX_ATTRIBUTE_KEY_LENGTH || key === '__proto__' || this.full) {
      this.dropped++;
      return;
    }
    this.values[key] = value;
    this.size++;
  }

  /** Every scalar attribute of an OTLP list, in order; past the limit the rest are counted without being read. */
  putAll(attributes: KeyValue[] | null | undefined, skip?: string): void {
    const source = list(attributes);
    for (let i = 0; i < source.length; i++) {
      if (this.full) {
        this.dropped += source.length - i;
        return;
      }
      const kv = source[i];
      if (kv === null || typeof kv !== 'object' || typeof kv.key !== 'string') this.dropped++;
      else if (kv.key !== skip) this.put(kv.key, scalar(kv.value));
    }
  }
}
