import { z } from 'zod';

/**
 * `tumbling`: the base windows (10 s by default) the predictor and the controllers read, one per service
 * and window. `hopping`: longer windows (60 s advancing 10 s by default) over the same events, for
 * readers that want a smoother view; every reader states which kinds it takes.
 */
export const WINDOW_KINDS = ['tumbling', 'hopping'] as const;
export type WindowKind = (typeof WINDOW_KINDS)[number];

/**
 * One closed event-time window of one service, as emitted to the metrics topic.
 * Pure data shape (no zod) so that workflow code can import the type.
 */
export interface WindowMetric {
  v: 1;
  /** Absent in records written before hopping windows existed: those are all tumbling. */
  kind?: WindowKind;
  service: string;
  windowStart: number;
  windowEnd: number;
  count: number;
  eventsPerSecond: number;
  errorCount: number;
  errorRate: number;
  countByType: Record<string, number>;
  latencyP50: number | null;
  latencyP95: number | null;
  latencyP99: number | null;
  /**
   * Events behind the partition's high watermark when the window was emitted: records behind times the
   * events per record lately (ingest packs a service's events into records).
   */
  consumerLag: number;
  partition: number;
  emittedAt: number;
}

/** A record without `kind` is tumbling. */
export const windowKind = (m: Pick<WindowMetric, 'kind'>): WindowKind => m.kind ?? 'tumbling';

export const WindowMetricSchema = z.object({
  v: z.literal(1),
  kind: z.enum(WINDOW_KINDS).optional(),
  service: z.string().min(1),
  windowStart: z.number().int(),
  windowEnd: z.number().int(),
  count: z.number().int().nonnegative(),
  eventsPerSecond: z.number().nonnegative(),
  errorCount: z.number().int().nonnegative(),
  errorRate: z.number().min(0).max(1),
  countByType: z.record(z.string(), z.number()),
  latencyP50: z.number().nullable(),
  latencyP95: z.number().nullable(),
  latencyP99: z.number().nullable(),
  consumerLag: z.number().int().nonnegative(),
  partition: z.number().int().nonnegative(),
  emittedAt: z.number().int(),
});

/** A forecast of events/s for the next windows of one service, served by the predictor. */
export interface ForecastPoint {
  windowEnd: number;
  eventsPerSecond: number;
  lower: number;
  upper: number;
}

export interface Forecast {
  v: 1;
  service: string;
  model: string;
  windowMs: number;
  /** End of the last observed window the forecast is based on: tells the controller how fresh it is. */
  basedOnWindowEnd: number;
  generatedAt: number;
  points: ForecastPoint[];
  anomalyScore: number;
  /** Seasonal periods (in windows) the forecast uses, shortest first; [] when the predictor found none. */
  seasonalPeriods?: number[];
  /** Nominal coverage of every point's [lower, upper] interval (0.8: the 10 % and 90 % quantiles). */
  intervalCoverage?: number;
  /**
   * Windows of this service the model has learned (since it was created or its series last broke):
   * a forecast learned from a handful of windows is no bound to scale in on. Absent from older predictors.
   */
  historyWindows?: number;
}
