import type { ControllerStatus, Decision, Forecast, ForecastPoint, WindowMetric } from '@smartscale/contracts';

/** What a target is doing now; a paused target with an override shows as paused (the pause wins in the workflow). */
export type TargetState = 'active' | 'paused' | 'override' | 'recommend';

export interface TargetView {
  id: string;
  service: string;
  state: TargetState | 'unknown';
  /** Null when the workflow could not be queried (Temporal down, workflow gone): `error` says why. */
  status: ControllerStatus | null;
  error: string | null;
  workflowUrl: string;
}

/** The backend parts the console depends on; false shows a banner naming the part. */
export interface ConsoleHealth {
  broker: boolean;
  temporal: boolean;
  history: boolean;
  predictor: boolean;
}

export interface ConsoleSnapshot {
  at: number;
  targets: TargetView[];
  health: ConsoleHealth;
  /** Newest closed window per service of a target. */
  windows: Record<string, WindowMetric | null>;
  /** Newest forecast per service (the horizon of its target's policy). */
  forecasts: Record<string, Forecast | null>;
}

/** A one-step-ahead forecast kept for the chart: the band that the next window was predicted to fall in. */
export interface RecordedForecast extends ForecastPoint {
  anomalyScore: number;
}

export type ConsoleEvent =
  | { type: 'status'; data: { targets: TargetView[] } }
  | { type: 'decision'; data: { targetId: string; decision: Decision; workflowUrl: string } }
  | { type: 'window'; data: WindowMetric }
  | { type: 'forecast'; data: Forecast }
  | { type: 'health'; data: ConsoleHealth };

/** A target's chart over a time range: SQL history plus what the worker has kept in memory. */
export interface ChartData {
  targetId: string;
  service: string;
  from: number;
  to: number;
  windows: Pick<WindowMetric, 'windowEnd' | 'eventsPerSecond' | 'consumerLag'>[];
  decisions: (Decision & { runId?: string })[];
  forecastHistory: RecordedForecast[];
  forecast: Forecast | null;
  workflowUrl: string;
}
