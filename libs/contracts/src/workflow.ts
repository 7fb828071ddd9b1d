/** The pure entry point for workflow code: no zod, no Node built-ins (CONVENTIONS §9). */
export * from './controller';
export * from './policy';
export type { WindowMetric, Forecast, ForecastPoint } from './metrics';

/** ApplicationFailure types the controller's activities raise and its workflow reads. */
export const CONTROLLER_FAILURE = {
  /** The worker cannot build or drive the scaler (a missing entry script, an impossible count): recorded, retried slowly. */
  scalerMisconfigured: 'ScalerMisconfigured',
  /** The scaler answered a refusal retrying soon cannot fix (403, 404, other 4xx): recorded, retried slowly. */
  scalerRefused: 'ScalerRefused',
  /** A workflow's target fails the schema: the workflow refuses it and ends (never acts). */
  invalidTarget: 'InvalidTarget',
} as const;
