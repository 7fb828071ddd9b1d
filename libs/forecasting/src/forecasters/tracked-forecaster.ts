import { HorizonErrors } from './horizon-errors';
import { DEFAULT_HORIZON_ERRORS, ForecasterJSON, ForecastPoint, HorizonErrorsConfig, OnlineForecaster } from './forecaster';

/**
 * Shared learn/forecast cycle: score the previous forecasts against the new value, let the model
 * learn it, then forecast again so the next value can score this forecast. Subclasses supply only
 * the model (`update`, `predict`, `modelState`), which keeps the interval logic in one place.
 */
export abstract class TrackedForecaster<C, S> implements OnlineForecaster {
  abstract readonly kind: string;
  protected readonly errors: HorizonErrors;
  /**
   * project(maxHorizon) as of the last learned point. learn() needs it to score later, forecast()
   * and an ensemble's predict() ask for it again: without the cache an ensemble projected every
   * member three times per point. Derived, so never serialised.
   */
  private projected: number[] | null = null;

  protected constructor(
    readonly config: C,
    errors: HorizonErrors | HorizonErrorsConfig = DEFAULT_HORIZON_ERRORS,
  ) {
    this.errors = errors instanceof HorizonErrors ? errors : HorizonErrors.create(errors);
  }

  protected abstract update(value: number): void;
  /** point forecasts for horizons 1..h from the current state; must not change the state */
  protected abstract project(h: number): number[];
  protected abstract modelState(): S;

  learn(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`${this.kind}: cannot learn ${value}`);
    this.errors.observe(value);
    this.projected = null;
    this.update(value);
    this.errors.record(this.predict(this.errors.maxHorizon));
  }

  predict(h: number): number[] {
    this.projected ??= this.project(this.errors.maxHorizon);
    return h <= this.projected.length ? this.projected.slice(0, h) : this.project(h);
  }

  forecast(h: number): ForecastPoint[] {
    return this.predict(h).map((point, i) => {
      const half = this.errors.halfWidth(i + 1);
      return { point, lower: point - half, upper: point + half };
    });
  }

  recentMae(h: number): number {
    return this.errors.recentMae(h);
  }

  toJSON(): ForecasterJSON<C, S> {
    return { kind: this.kind, config: this.config, state: structuredClone(this.modelState()), errors: this.errors.toJSON() };
  }
}
