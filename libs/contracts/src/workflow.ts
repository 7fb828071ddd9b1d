/** The pure entry point for workflow code: no zod, no Node built-ins (CONVENTIONS §9). */
export * from './controller';
export * from './policy';
export type { WindowMetric, Forecast, ForecastPoint } from './metrics';
