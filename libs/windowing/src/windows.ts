/** Event-time window assignment (Kafka Streams' TimeWindows): size, advance and grace are the whole contract. */
export interface WindowSpec {
  sizeMs: number;
  /** Equal to sizeMs for tumbling windows; smaller for hopping windows. */
  advanceMs: number;
  /** How long after a window's end, in stream time, events for it are still accepted. */
  graceMs: number;
}

export interface TimeWindow {
  start: number;
  end: number;
}

export const tumbling = (sizeMs: number, graceMs: number): WindowSpec => ({ sizeMs, advanceMs: sizeMs, graceMs });
export const hopping = (sizeMs: number, advanceMs: number, graceMs: number): WindowSpec => {
  if (advanceMs <= 0 || advanceMs > sizeMs || sizeMs % advanceMs !== 0) {
    throw new Error(`hopping windows need 0 < advance <= size and size a multiple of advance (size ${sizeMs}, advance ${advanceMs})`);
  }
  return { sizeMs, advanceMs, graceMs };
};

/** Every window [start, end) that contains eventTime, oldest first; windows are aligned to the epoch. */
export function windowsFor(eventTime: number, spec: WindowSpec): TimeWindow[] {
  const lastStart = eventTime - mod(eventTime, spec.advanceMs);
  // Tumbling: the loop below would give this one window. The aggregator calls this for every event;
  // without the loop and its growing array it keeps PartitionWindows.add as fast as its inline floor was.
  if (spec.advanceMs === spec.sizeMs) return [{ start: lastStart, end: lastStart + spec.sizeMs }];
  const out: TimeWindow[] = [];
  for (let start = lastStart - spec.sizeMs + spec.advanceMs; start <= lastStart; start += spec.advanceMs) {
    if (start + spec.sizeMs > eventTime) out.push({ start, end: start + spec.sizeMs });
  }
  return out;
}

/** A window is closed once stream time reaches its end plus the grace period. */
export const isClosed = (w: TimeWindow, streamTime: number, spec: WindowSpec): boolean => streamTime >= w.end + spec.graceMs;

const mod = (a: number, n: number): number => ((a % n) + n) % n;
