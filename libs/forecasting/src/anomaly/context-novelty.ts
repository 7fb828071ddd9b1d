/**
 * Contextual novelty, after contextOSE (NAB's "Contextual Anomaly Detector"): quantise each value
 * into a few bins over the range seen so far, take the last `order` bins as a context, and score
 * how rarely that context has occurred. It catches what prediction errors miss, such as a series
 * going flat in the middle of its range or a familiar level reached by an unfamiliar path.
 */
export interface ContextNoveltyConfig {
  bins: number;
  order: number;
  /** stop adding new contexts past this many, bounding memory per series */
  maxContexts: number;
}

export const DEFAULT_CONTEXT_NOVELTY: ContextNoveltyConfig = { bins: 10, order: 4, maxContexts: 20_000 };

export interface ContextNoveltyState {
  recent: number[];
  /** [context key, times seen] pairs; a Map at run time, pairs in JSON */
  counts: [number, number][];
}

export class ContextNovelty {
  private readonly counts: Map<number, number>;
  private readonly recent: number[];

  constructor(
    private readonly config: ContextNoveltyConfig = DEFAULT_CONTEXT_NOVELTY,
    state: ContextNoveltyState = { recent: [], counts: [] },
  ) {
    this.counts = new Map(state.counts);
    this.recent = [...state.recent];
  }

  /** Raw novelty in (0, 1]: 1 for a never-seen context, 1/(1+n) after n sightings. */
  update(value: number, min: number, max: number): number {
    const { bins, order } = this.config;
    const span = max - min;
    const bin = span > 0 ? Math.min(bins - 1, Math.max(0, Math.floor(((value - min) / span) * bins))) : 0;
    this.recent.push(bin);
    if (this.recent.length > order) this.recent.shift();
    if (this.recent.length < order) return 0;
    const key = this.recent.reduce((k, b) => k * bins + b, 0);
    const seen = this.counts.get(key) ?? 0;
    if (seen > 0 || this.counts.size < this.config.maxContexts) this.counts.set(key, seen + 1);
    return 1 / (1 + seen);
  }

  toJSON(): ContextNoveltyState {
    return { recent: [...this.recent], counts: [...this.counts.entries()] };
  }
}
