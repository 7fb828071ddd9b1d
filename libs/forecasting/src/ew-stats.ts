/**
 * Exponentially weighted mean and variance whose weight starts at 1/n, so the first points are a
 * plain running average instead of being dragged towards an arbitrary initial value. Plain data, so
 * state serialises with JSON.stringify.
 */
export interface EwStats {
  n: number;
  mean: number;
  variance: number;
}

export function newEwStats(): EwStats {
  return { n: 0, mean: 0, variance: 0 };
}

/** Folds x into s in place; `alpha` is the floor of the weight once 1/n falls below it. */
export function ewUpdate(s: EwStats, x: number, alpha: number): void {
  s.n++;
  const a = Math.max(alpha, 1 / s.n);
  const delta = x - s.mean;
  s.mean += a * delta;
  // West's incremental EW variance: stays non-negative and matches the sample variance while a = 1/n.
  s.variance = (1 - a) * (s.variance + a * delta * delta);
}
