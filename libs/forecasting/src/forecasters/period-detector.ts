import FFT from 'fft.js';

export interface PeriodDetectorConfig {
  /** shortest period looked for, in steps: below it a "cycle" is indistinguishable from noise */
  minPeriod: number;
  /** longest period looked for, in steps; the detector keeps twice this much history */
  maxPeriod: number;
  /** at most this many periods at once (e.g. an hour and a day) */
  maxPeriods: number;
  /** autocorrelation at the period must reach this... */
  threshold: number;
  /** ...and rise this much above the lowest autocorrelation at shorter lags (the trough of the cycle) */
  prominence: number;
  /** ...and exceed this many standard errors of white noise's autocorrelation at that lag, 1/√(n − k) */
  significance: number;
  /**
   * ...and the mean squared difference between values one period apart must be at most this
   * fraction of its average over all shorter lags (YIN's cumulative-mean-normalised difference):
   * for a wandering series (a random walk) values drift further apart with the lag, so a hump of its
   * autocorrelation is never a dip of this ratio; a real cycle's repeat is.
   */
  maxDifference: number;
}

/**
 * Chosen on synthetic cycles (7 min, 1 h, 1 day at 10 s windows, with noise) and white noise, then
 * checked on the forecast-eval series (docs/forecasting.md): 0.35 / 0.3 find every cycle whose
 * amplitude is at least the noise's standard deviation after two cycles and nothing in white noise.
 */
export const DEFAULT_PERIOD_DETECTOR: Omit<PeriodDetectorConfig, 'maxPeriod'> = {
  minPeriod: 4,
  maxPeriods: 3,
  threshold: 0.35,
  prominence: 0.3,
  significance: 4,
  maxDifference: 0.5,
};

export interface DetectedPeriod {
  period: number;
  /** autocorrelation at the period when it was chosen (0..1) */
  strength: number;
}

/**
 * Seasonal periods of a series by autocorrelation, none when there is no cycle. The strongest
 * cycle is taken first (the shortest lag whose autocorrelation is within 20 % of the best peak, so a
 * cycle wins over its own multiples, and 7 min wins over 56 min = 8 × 7 min when an hour's cycle
 * lifts the latter), its mean profile is subtracted, and the rest is searched
 * again: that is how a day is found under an hour (MSTL removes seasons the same way). Only lags of
 * at most half the series are candidates, so a period needs two full cycles to be seen.
 *
 * Written here rather than taken from @bsull/augurs: its `seasonalities` (periodogram) reported 51
 * for nyc_taxi's 48, 254 for a 360-step cycle and [4, 14] in white noise (docs/forecasting.md).
 */
export function detectPeriods(values: ArrayLike<number>, config: PeriodDetectorConfig): DetectedPeriod[] {
  const n = values.length;
  if (n < 2 * config.minPeriod + 2) return [];
  const x = detrend(clipOutliers(Float64Array.from(values)));
  const found: DetectedPeriod[] = [];
  const total = variance(x);
  // Once the cycles found leave less than a tenth of the variance, what remains is noise.
  while (found.length < config.maxPeriods && (found.length === 0 || variance(x) > 0.1 * total)) {
    const acf = autocorrelation(x);
    if (acf === null) break;
    const best = bestPeriod(x, acf, config, found);
    if (best === null) break;
    found.push(best);
    removeProfile(x, best.period);
  }
  return found.sort((a, b) => a.period - b.period);
}

/**
 * The shortest strong peak of the autocorrelation, or null. Lags up to 5 % past half the series
 * are looked at, because with exactly two cycles the noisy peak falls on either side of the period.
 */
function bestPeriod(
  x: Float64Array,
  acf: { r: Float64Array; d: Float64Array; vario: Float64Array },
  config: PeriodDetectorConfig,
  found: DetectedPeriod[],
): DetectedPeriod | null {
  const { r, d, vario } = acf;
  const n = x.length;
  const last = Math.min(Math.floor(1.05 * config.maxPeriod), Math.floor(0.525 * n), r.length - 1);
  const candidates: DetectedPeriod[] = [];
  let trough = Infinity;
  for (let k = 1; k <= last; k++) {
    trough = Math.min(trough, r[k]);
    if (k < config.minPeriod) continue;
    // A second period is searched in residuals of a fit, which look more regular than they are.
    // Capped: a correlation of 0.9 at a prominent peak is evidence enough even over two short cycles.
    const floor = Math.max(config.threshold, Math.min(0.9, (config.significance + (found.length === 0 ? 0 : 1)) / Math.sqrt(n - k)));
    if (r[k] < floor || r[k] - trough < config.prominence || d[k] > config.maxDifference) continue;
    // A wandering series drifts: values k apart differ k times more than neighbours (a random walk's
    // variogram grows linearly); a cycle's repeat is about as close as the next value is. With under
    // three cycles of evidence a random walk's single hump looks like a repeat, so the bar is higher.
    if (vario[k] > vario[1] * (3 * k > n ? 2 : Math.max(4, Math.sqrt(k)))) continue;
    const w = Math.max(1, Math.round(k * 0.05));
    let isPeak = true;
    for (let j = Math.max(1, k - w); j <= Math.min(r.length - 1, k + w) && isPeak; j++) isPeak = r[j] <= r[k];
    if (isPeak && !found.some((f) => Math.abs(f.period - k) <= Math.max(1, 0.03 * k))) candidates.push({ period: k, strength: r[k] });
  }
  if (candidates.length === 0) return null;
  const top = Math.max(...candidates.map((c) => c.strength));
  const chosen = candidates.find((c) => c.strength >= 0.8 * top) as DetectedPeriod;
  return { period: refine(x, chosen.period, config.minPeriod, last), strength: chosen.strength };
}

/**
 * The autocorrelation peak is only as precise as one cycle against the next (42 read as 44 after
 * four cycles in the specs); folding the whole series at each nearby length and keeping the one whose
 * mean profile explains the most uses every cycle at once. Coarse steps first, then single steps.
 */
function refine(x: Float64Array, around: number, lo: number, hi: number): number {
  const w = Math.max(1, Math.round(around * 0.05));
  const residual = (p: number): number => foldedResidual(x, p);
  let best = around;
  let bestResidual = residual(around);
  let span = w;
  // Coarse to fine: about 16 folds per stage instead of one per candidate length (865 for a day).
  for (let step = Math.max(1, Math.ceil(w / 8)); ; step = Math.max(1, Math.floor(step / 8))) {
    const centre = best;
    for (let p = Math.max(lo, centre - span); p <= Math.min(hi, centre + span); p += step) {
      const v = residual(p);
      if (v < bestResidual) [best, bestResidual] = [p, v];
    }
    if (step === 1) return best;
    span = step;
  }
}

/**
 * Variance left after subtracting the mean profile of period p, per degree of freedom: a phase seen
 * once fits itself exactly, so without that a longer period would always look better.
 */
function foldedResidual(x: Float64Array, p: number): number {
  const sum = new Float64Array(p);
  const sq = new Float64Array(p);
  const count = new Float64Array(p);
  for (let start = 0; start < x.length; start += p) {
    const end = Math.min(p, x.length - start);
    for (let i = 0; i < end; i++) {
      const v = x[start + i];
      sum[i] += v;
      sq[i] += v * v;
      count[i]++;
    }
  }
  let left = 0;
  let phases = 0;
  for (let i = 0; i < p; i++) {
    if (count[i] === 0) continue;
    left += sq[i] - (sum[i] * sum[i]) / count[i];
    phases++;
  }
  return left / Math.max(1, x.length - phases);
}

/**
 * Unbiased autocorrelation r(k) = mean(x_t·x_{t+k}) / mean(x_t²) for every lag, by FFT (Wiener–
 * Khinchin): a day of 10 s windows is 17,280 points, too many for the O(n²) sum on every re-check.
 */
function autocorrelation(x: Float64Array): { r: Float64Array; d: Float64Array; vario: Float64Array } | null {
  const n = x.length;
  let size = 2;
  while (size < 2 * n) size *= 2;
  const fft = fftOfSize(size);
  const input = new Array<number>(size).fill(0);
  for (let i = 0; i < n; i++) input[i] = x[i];
  const spectrum = fft.createComplexArray() as number[];
  fft.realTransform(spectrum, input);
  fft.completeSpectrum(spectrum);
  for (let i = 0; i < size; i++) {
    spectrum[2 * i] = spectrum[2 * i] ** 2 + spectrum[2 * i + 1] ** 2;
    spectrum[2 * i + 1] = 0;
  }
  const back = fft.createComplexArray() as number[];
  fft.inverseTransform(back, spectrum);
  const r0 = back[0] / n;
  if (!(r0 > 1e-12)) return null;
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) r[k] = back[2 * k] / (n - k) / r0;
  return { r, ...normalisedDifference(x, back) };
}

/**
 * YIN's d'(k): the mean of (x_t − x_{t+k})² over the overlap, divided by its running mean over
 * lags 1..k; from the raw autocorrelation and prefix sums of x², so O(n) after the FFT.
 */
function normalisedDifference(x: Float64Array, raw: number[]): { d: Float64Array; vario: Float64Array } {
  const n = x.length;
  const squares = new Float64Array(n + 1);
  for (let t = 0; t < n; t++) squares[t + 1] = squares[t] + x[t] * x[t];
  const d = new Float64Array(n);
  const vario = new Float64Array(n);
  d[0] = 1;
  let running = 0;
  for (let k = 1; k < n; k++) {
    const mean = Math.max(0, (squares[n - k] + (squares[n] - squares[k]) - 2 * raw[2 * k]) / (n - k));
    vario[k] = mean;
    running += mean;
    d[k] = running > 0 ? (mean * k) / running : 1;
  }
  return { d, vario };
}

const ffts = new Map<number, FFT>();
/** An FFT object holds its twiddle table: built once per size, a few sizes per process. */
function fftOfSize(size: number): FFT {
  let fft = ffts.get(size);
  if (!fft) ffts.set(size, (fft = new FFT(size)));
  return fft;
}

/** Load spikes would dominate the autocorrelation: values beyond 6 MADs of the median are capped. */
function clipOutliers(x: Float64Array): Float64Array {
  const sorted = Float64Array.from(x).sort();
  const median = sorted[sorted.length >> 1];
  const deviations = x.map((v) => Math.abs(v - median)).sort();
  const mad = 1.4826 * deviations[deviations.length >> 1];
  if (mad > 0) for (let i = 0; i < x.length; i++) x[i] = Math.min(median + 6 * mad, Math.max(median - 6 * mad, x[i]));
  return x;
}

/** Least-squares line removed: a trend would make every lag look correlated. */
function detrend(x: Float64Array): Float64Array {
  const n = x.length;
  const tMean = (n - 1) / 2;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let t = 0; t < n; t++) {
    sxy += (t - tMean) * (x[t] - mean);
    sxx += (t - tMean) ** 2;
  }
  const slope = sxy / sxx;
  for (let t = 0; t < n; t++) x[t] -= mean + slope * (t - tMean);
  return x;
}

function variance(x: Float64Array): number {
  const mean = x.reduce((a, b) => a + b, 0) / x.length;
  return x.reduce((sum, v) => sum + (v - mean) ** 2, 0) / x.length;
}

function removeProfile(x: Float64Array, period: number): void {
  const sum = new Float64Array(period);
  const count = new Float64Array(period);
  for (let t = 0; t < x.length; t++) {
    sum[t % period] += x[t];
    count[t % period]++;
  }
  for (let t = 0; t < x.length; t++) x[t] -= sum[t % period] / count[t % period];
}
