import type { TelemetryEvent } from '@smartscale/contracts';
import { Tally } from './window-aggregate';

/**
 * The panes technique for hopping windows: the tumbling windows are the panes, and a hopping window
 * whose advance is a multiple of the pane size is the merge of its consecutive panes. Each event is
 * added to one tally, once, instead of to every hopping window that contains it.
 *
 * Panes are numbered by start / pane size, hopping windows by end / advance: window w covers the panes
 * w·perAdvance − perWindow … w·perAdvance − 1, and pane k lies in the windows firstWindow(k) …
 * firstWindow(k) + windowsPerPane − 1.
 */
export interface PaneGeometry {
  /** Panes per hopping advance. */
  perAdvance: number;
  /** Panes per hopping window. */
  perWindow: number;
}

/** Hopping windows `from` … `to` (by index, inclusive); empty when from > to. */
export interface WindowRange {
  from: number;
  to: number;
}

const EMPTY: WindowRange = { from: 1, to: 0 };
const isEmpty = (r: WindowRange): boolean => r.from > r.to;

/** Every hopping window that contains pane k; none without hopping windows. */
export function windowsOfPane(geometry: PaneGeometry | null, k: number): WindowRange {
  if (!geometry) return EMPTY;
  const first = Math.floor(k / geometry.perAdvance) + 1;
  return { from: first, to: first + geometry.perWindow / geometry.perAdvance - 1 };
}

/** Part of a pane: events that count in the same windows, tallied together. Usually one per pane. */
interface Contribution {
  /** Counted in the pane's own (tumbling) window. */
  tumbling: boolean;
  /** The hopping windows they count in. */
  windows: WindowRange;
  tally: Tally;
  /** Offsets arrive in order, so its first offset is its smallest. */
  minOffset: bigint;
}

interface Pane {
  contributions: Contribution[];
  /** Ids counted here somewhere, so that eviction can forget them. */
  ids: string[];
  /** Retries of an id already in the pane's tumbling window. */
  duplicates: number;
}

/** Where an event id counts: the panes whose tumbling window has it, the hopping windows that have it. */
interface IdRecord {
  lastPane: number;
  tumblingPanes: number[];
  counted: WindowRange[];
}

/**
 * The panes of one service still needed: open ones, and closed ones that a hopping window not yet
 * emitted covers. Which windows an event counts in is decided here, per event id: a retry counts
 * nowhere it already counts (Kafka Streams' per-window semantics, where each window de-duplicates), so
 * a retried id in two panes of one hopping window is counted once in it; and each window takes an
 * event until its own end plus grace, so an event too late for its pane's tumbling window still counts
 * in the hopping windows still open.
 */
export class ServicePanes {
  private readonly panes = new Map<number, Pane>();
  /** The common case, one copy counted in every window of its open pane, is the bare pane number. */
  private readonly ids = new Map<string, number | IdRecord>();
  /** First offset of any contribution: replay from there rebuilds every pane. */
  private minOffset: bigint | null = null;

  constructor(private readonly geometry: PaneGeometry | null) {}

  get oldestOffset(): bigint | null {
    return this.minOffset;
  }

  /** The panes kept, by number (any order). */
  paneIndices(): IterableIterator<number> {
    return this.panes.keys();
  }

  /**
   * Counts an event of pane k where it belongs: in the tumbling window if `tumblingOpen`, and in each
   * hopping window of the pane from `firstOpenWindow` on; minus, in both, the windows that already
   * have its id. Returns the first hopping window it was counted in, or null.
   */
  add(e: TelemetryEvent, k: number, tumblingOpen: boolean, firstOpenWindow: number, offset: string): number | null {
    // The hot path (a new id) keeps the ranges in numbers: no arrays, no range objects kept.
    const { from: first, to: last } = windowsOfPane(this.geometry, k);
    const from = Math.max(first, firstOpenWindow);
    const known = this.ids.get(e.id);
    if (known === undefined) {
      if (!tumblingOpen && from > last) return null;
      const pane = this.pane(k);
      this.contribution(pane, tumblingOpen, from, last, offset).tally.add(e);
      // An open pane's windows are all open: then the bare pane number says "tumbling k, and all of k's windows".
      const everywhere = tumblingOpen && (from === first || first > last);
      this.ids.set(
        e.id,
        everywhere ? k : { lastPane: k, tumblingPanes: tumblingOpen ? [k] : [], counted: from > last ? [] : [{ from, to: last }] },
      );
      pane.ids.push(e.id);
      return from > last ? null : from;
    }
    const rec =
      typeof known === 'number' ? { lastPane: known, tumblingPanes: [known], counted: [windowsOfPane(this.geometry, known)] } : known;
    const pane = this.pane(k);
    const tumbling = tumblingOpen && !rec.tumblingPanes.includes(k);
    if (tumblingOpen && !tumbling) pane.duplicates++;
    const windows = from > last ? [] : subtract({ from, to: last }, rec.counted);
    if (!tumbling && windows.length === 0) return null;
    // Two ranges only when earlier copies sit on both sides of this pane: each gets its own tally.
    const [head = EMPTY, ...rest] = windows;
    this.contribution(pane, tumbling, head.from, head.to, offset).tally.add(e);
    for (const w of rest) this.contribution(pane, false, w.from, w.to, offset).tally.add(e);
    rec.lastPane = Math.max(rec.lastPane, k);
    if (tumbling) rec.tumblingPanes.push(k);
    rec.counted.push(...windows);
    this.ids.set(e.id, rec);
    pane.ids.push(e.id);
    return windows[0]?.from ?? null;
  }

  /** The tumbling window of pane k. Its tallies no longer change once the pane is closed. */
  tumbling(k: number): { tally: Tally; duplicates: number } {
    const pane = this.panes.get(k);
    const parts = pane?.contributions.filter((c) => c.tumbling).map((c) => c.tally) ?? [];
    return { tally: parts.length > 0 ? Tally.of(parts) : new Tally(), duplicates: pane?.duplicates ?? 0 };
  }

  /** Hopping window w: the merge of its panes' tallies that count in it (a new tally: late events may still join them). */
  hopping(w: number): Tally {
    const out = new Tally();
    if (!this.geometry) return out;
    const last = w * this.geometry.perAdvance - 1;
    for (let k = last - this.geometry.perWindow + 1; k <= last; k++) {
      for (const c of this.panes.get(k)?.contributions ?? []) if (c.windows.from <= w && w <= c.windows.to) out.merge(c.tally);
    }
    return out;
  }

  /** Forgets the panes before pane `keepFrom` and the ids counted only there. True when nothing is left. */
  evictBefore(keepFrom: number): boolean {
    let evicted = false;
    for (const [k, pane] of this.panes) {
      if (k >= keepFrom) continue;
      this.panes.delete(k);
      evicted = true;
      for (const id of pane.ids) {
        const rec = this.ids.get(id);
        if (rec !== undefined && (typeof rec === 'number' ? rec : rec.lastPane) < keepFrom) this.ids.delete(id);
      }
    }
    if (evicted) this.minOffset = minOf([...this.panes.values()].flatMap((p) => p.contributions.map((c) => c.minOffset)));
    return this.panes.size === 0;
  }

  private pane(k: number): Pane {
    let pane = this.panes.get(k);
    if (!pane) {
      pane = { contributions: [], ids: [], duplicates: 0 };
      this.panes.set(k, pane);
    }
    return pane;
  }

  private contribution(pane: Pane, tumbling: boolean, from: number, to: number, offset: string): Contribution {
    if (from > to) ({ from, to } = EMPTY);
    // Nearly always the first, the main one: events counted in the tumbling window and all of its hopping windows.
    for (const c of pane.contributions) if (c.tumbling === tumbling && c.windows.from === from && c.windows.to === to) return c;
    const created: Contribution = { tumbling, windows: { from, to }, tally: new Tally(), minOffset: BigInt(offset) };
    pane.contributions.push(created);
    if (this.minOffset === null || created.minOffset < this.minOffset) this.minOffset = created.minOffset;
    return created;
  }
}

/** `range` without the windows in `taken` (any order, possibly overlapping). */
export function subtract(range: WindowRange, taken: readonly WindowRange[]): WindowRange[] {
  const out: WindowRange[] = [];
  let from = range.from;
  for (const t of [...taken].filter((r) => !isEmpty(r)).sort((a, b) => a.from - b.from)) {
    if (t.to < from) continue;
    if (t.from > range.to) break;
    if (t.from > from) out.push({ from, to: t.from - 1 });
    from = Math.max(from, t.to + 1);
  }
  if (from <= range.to) out.push({ from, to: range.to });
  return out;
}

const minOf = (xs: bigint[]): bigint | null => xs.reduce<bigint | null>((min, x) => (min === null || x < min ? x : min), null);
