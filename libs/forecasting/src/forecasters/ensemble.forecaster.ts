import { HorizonErrors } from './horizon-errors';
import { ForecasterJSON, HorizonErrorsConfig, OnlineForecaster } from './forecaster';
import { TrackedForecaster } from './tracked-forecaster';

export interface EnsembleConfig {
  /** weight ∝ MAE^(−power): 1 is inverse-MAE, larger values move towards picking the best */
  power: number;
  /** only the `topK` members with the lowest recent error at a horizon get weight (selector) */
  topK: number;
}

export const DEFAULT_ENSEMBLE: EnsembleConfig = { power: 2, topK: 3 };

export interface EnsembleState {
  members: ForecasterJSON[];
}

/**
 * Combines member forecasts per horizon, weighting each member by its own recent (exponentially
 * weighted) error at that horizon, so a model that wins at h = 1 need not dominate h = 12. Its
 * intervals come from the ensemble's own residuals, not from the members'.
 */
export class EnsembleForecaster extends TrackedForecaster<EnsembleConfig, EnsembleState> {
  readonly kind = 'ensemble';

  constructor(
    readonly members: OnlineForecaster[],
    config: EnsembleConfig = DEFAULT_ENSEMBLE,
    errors?: HorizonErrors | HorizonErrorsConfig,
  ) {
    if (members.length === 0) throw new RangeError('ensemble: needs at least one member');
    super(config, errors);
  }

  /** `restore` rebuilds members; passed in to avoid an import cycle with the registry. */
  static fromJSON(
    json: ForecasterJSON<EnsembleConfig, EnsembleState>,
    restore: (member: ForecasterJSON) => OnlineForecaster,
  ): EnsembleForecaster {
    const members = json.state.members.map(restore);
    return new EnsembleForecaster(members, json.config, new HorizonErrors(structuredClone(json.errors)));
  }

  protected update(value: number): void {
    for (const m of this.members) m.learn(value);
  }

  /** Member weights at horizon h (sum to 1); equal weights until every member has an error. */
  weights(h: number): number[] {
    const maes = this.members.map((m) => m.recentMae(h));
    if (maes.some((e) => Number.isNaN(e))) return maes.map(() => 1 / maes.length);
    const cutoff = [...maes].sort((a, b) => a - b)[Math.min(this.config.topK, maes.length) - 1];
    const floor = 1e-12 + 1e-9 * Math.max(...maes);
    const raw = maes.map((e) => (e <= cutoff ? Math.max(e, floor) ** -this.config.power : 0));
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((w) => w / total);
  }

  predict(h: number): number[] {
    const forecasts = this.members.map((m) => m.predict(h));
    return Array.from({ length: h }, (_, i) => {
      const w = this.weights(i + 1);
      return forecasts.reduce((sum, f, k) => sum + (w[k] === 0 ? 0 : w[k] * f[i]), 0);
    });
  }

  protected modelState(): EnsembleState {
    return { members: this.members.map((m) => m.toJSON()) };
  }
}
