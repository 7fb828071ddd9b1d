// Which stretch of the console chart the README screenshot shows. The band leads the load only once
// the forecaster has found the cycle (after the second rise, from data alone), so the "last hour"
// view would mostly show the first rises, where the band still trails. Pure, so the spec can call it.

export interface LoadWindow {
  windowEnd: number;
  eventsPerSecond: number;
}

export interface ChartRange {
  from: number;
  to: number;
  /** The window ends (epoch ms) at which the load first stood above the midpoint of a rise. */
  rises: number[];
}

/** Upward crossings of the midpoint between the lowest and highest load seen (noise stays on one side). */
export function risesOfLoad(windows: readonly LoadWindow[]): number[] {
  const sorted = [...windows].sort((a, b) => a.windowEnd - b.windowEnd);
  if (sorted.length < 2) return [];
  const rates = sorted.map((w) => w.eventsPerSecond);
  const low = Math.min(...rates);
  const high = Math.max(...rates);
  // A flat series has no rise; ask for at least a doubling, as the demo's rise lines do (tools/dev/spikes.ts).
  if (high < 2 * Math.max(low, 1e-9)) return [];
  const mid = (low + high) / 2;
  const rises: number[] = [];
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i - 1].eventsPerSecond < mid && sorted[i].eventsPerSecond >= mid) rises.push(sorted[i].windowEnd);
  return rises;
}

/**
 * The windows after the last stretch of `gap` ms without any: the SQL history keeps earlier demo runs,
 * and their rises must not count as the latest run's.
 */
export function latestRun(windows: readonly LoadWindow[], gap = 60_000): LoadWindow[] {
  const sorted = [...windows].sort((a, b) => a.windowEnd - b.windowEnd);
  let start = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i].windowEnd - sorted[i - 1].windowEnd > gap) start = i;
  return sorted.slice(start);
}

/**
 * Within the latest run, from `before` ms ahead of the `fromRise`-th rise (1-based; the low phase where the band already
 * rises) to `after` ms past the last rise's fall, or the newest window while that rise is still high.
 * Null while fewer rises than `fromRise` have been seen: the caller keeps the live view.
 */
export function leadingRange(all: readonly LoadWindow[], fromRise = 3, before = 60_000, after = 30_000, gap = 60_000): ChartRange | null {
  const windows = latestRun(all, gap);
  const rises = risesOfLoad(windows);
  if (rises.length < fromRise) return null;
  const sorted = [...windows].sort((a, b) => a.windowEnd - b.windowEnd);
  const last = rises[rises.length - 1];
  const rates = sorted.map((w) => w.eventsPerSecond);
  const mid = (Math.min(...rates) + Math.max(...rates)) / 2;
  const fall = sorted.find((w) => w.windowEnd > last && w.eventsPerSecond < mid)?.windowEnd;
  const newest = sorted[sorted.length - 1].windowEnd;
  return { from: rises[fromRise - 1] - before, to: fall === undefined ? newest : Math.min(newest, fall + after), rises };
}
