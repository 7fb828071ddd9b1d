import { HorizonErrors } from './horizon-errors';
import { ForecasterJSON, HorizonErrorsConfig } from './forecaster';
import { TrackedForecaster } from './tracked-forecaster';

export interface NaiveState {
  last: number;
}

/** Last value, flat: the MASE denominator and the floor every other model must beat. */
export class NaiveForecaster extends TrackedForecaster<Record<string, never>, NaiveState> {
  readonly kind = 'naive';

  constructor(
    errors?: HorizonErrors | HorizonErrorsConfig,
    private state: NaiveState = { last: NaN },
  ) {
    super({}, errors);
  }

  static fromJSON(json: ForecasterJSON<Record<string, never>, NaiveState>): NaiveForecaster {
    return new NaiveForecaster(new HorizonErrors(structuredClone(json.errors)), structuredClone(json.state));
  }

  protected update(value: number): void {
    this.state.last = value;
  }

  protected project(h: number): number[] {
    return new Array<number>(h).fill(this.state.last);
  }

  protected modelState(): NaiveState {
    return this.state;
  }
}
