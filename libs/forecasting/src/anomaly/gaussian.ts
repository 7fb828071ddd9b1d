/**
 * Complementary error function, Numerical Recipes' Chebyshev fit (`erfcc`): fractional error below
 * 1.2e-7 everywhere, including the far tail. Hand-written because the anomaly score is the log of a
 * tail probability down to 1e-10, where the common Abramowitz–Stegun absolute-error fit is useless,
 * and this library must stay dependency-light for the predictor and the Temporal-free backtester.
 */
export function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly =
    -z * z -
    1.26551223 +
    t *
      (1.00002368 +
        t *
          (0.37409196 +
            t *
              (0.09678418 +
                t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(poly);
  return x >= 0 ? r : 2 - r;
}

/** P(Z > z) for a standard normal Z. */
export function normalTail(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}
