import { z } from 'zod';

export const EVENT_TYPES = ['request', 'error', 'metric', 'log', 'click'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Bounds that keep one bad client from blowing up a message or a window. */
export const EVENT_LIMITS = {
  maxAttributes: 32,
  maxAttributeValueLength: 256,
  maxBatch: 5000,
  /**
   * How far ahead of the receiving clock an event time may be: ingest refuses beyond it, and the
   * aggregator never lets a partition's stream time run further ahead of its wall clock, so one
   * client's clock (or a forged time) cannot close another service's windows. Small: real clocks
   * agree within seconds.
   */
  maxFutureSkewMs: 2 * 60 * 1000,
} as const;

const serviceName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit');

/** ISO 8601 string or epoch milliseconds, normalised to epoch ms. */
const eventTime = z.union([z.number().int().nonnegative(), z.iso.datetime({ offset: true }).transform((s) => Date.parse(s))]);

export const TelemetryEventSchema = z
  .object({
    id: z.string().min(1).max(128).optional(),
    service: serviceName,
    type: z.enum(EVENT_TYPES),
    time: eventTime,
    latencyMs: z.number().nonnegative().optional(),
    status: z.number().int().min(100).max(599).optional(),
    name: z.string().min(1).max(128).optional(),
    value: z.number().optional(),
    attributes: z
      .record(z.string().max(64), z.union([z.string().max(EVENT_LIMITS.maxAttributeValueLength), z.number(), z.boolean()]))
      .refine((a) => Object.keys(a).length <= EVENT_LIMITS.maxAttributes, `at most ${EVENT_LIMITS.maxAttributes} attributes`)
      .optional(),
  })
  .strict()
  .superRefine((e, ctx) => {
    if (e.type === 'metric' && (e.name === undefined || e.value === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a metric event needs "name" and "value"', path: ['name'] });
    }
  });

export type TelemetryEventInput = z.input<typeof TelemetryEventSchema>;

/** What is stored on the events topic: the validated event with its id and time normalised. */
export interface TelemetryEvent {
  v: 1;
  id: string;
  service: string;
  type: EventType;
  time: number;
  latencyMs?: number;
  status?: number;
  name?: string;
  value?: number;
  attributes?: Record<string, string | number | boolean>;
}

/** The stored form is parsed back through a schema too (CONVENTIONS §5): consumers trust nothing. */
export const StoredTelemetryEventSchema = z.object({
  v: z.literal(1),
  id: z.string().min(1),
  service: serviceName,
  type: z.enum(EVENT_TYPES),
  time: z.number().int().nonnegative(),
  latencyMs: z.number().nonnegative().optional(),
  status: z.number().int().optional(),
  name: z.string().optional(),
  value: z.number().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
