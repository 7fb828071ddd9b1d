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

  protected constructor(
    readonly config: C,
    errors: HorizonErrors | HorizonErrorsConfig = DEFAULT_HORIZON_ERRORS,
  ) {
    this.errors = errors instanceof HorizonErrors ? errors : HorizonErrors.create(errors);
  }

  protected abstract update(value: number): void;
  abstract predict(h: number): number[];
  protected abstract modelState(): S;

  learn(value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`${this.kind}: cannot learn ${value}`);
    this.errors.observe(value);
    this.update(value);
    this.errors.record(this.predict(this.errors.maxHorizon));
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
