import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { EVENT_LIMITS, TelemetryEvent, TelemetryEventSchema } from '@smartscale/contracts';
import { EVENT_SINK, EventSink } from './event-sink.adapter';
import { IngestMetrics } from './ingest-metrics';

export const CLOCK = Symbol('CLOCK');
export type Clock = () => number;

export interface EventIssue {
  index: number;
  path: string;
  message: string;
}

/** A request whose events are not all valid; nothing of it was stored. */
export class InvalidEventsError extends Error {
  constructor(readonly issues: EventIssue[]) {
    super(`${issues.length} invalid event field(s)`);
  }
}

/** The broker did not acknowledge: the client should retry, and nothing is claimed as accepted. */
export class SinkUnavailableError extends Error {}

@Injectable()
export class EventsService {
  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
  ) {}

  /** Validates the whole batch first (all-or-nothing), then stores it; resolves once the broker acknowledged. */
  async ingest(body: unknown): Promise<TelemetryEvent[]> {
    const events = this.validate(body);
    const stop = this.metrics.produceSeconds.startTimer();
    try {
      await this.sink.publish(events);
    } catch (err) {
      this.metrics.rejected.inc({ reason: 'broker_unavailable' }, events.length);
      throw new SinkUnavailableError((err as Error).message);
    } finally {
      stop();
    }
    this.metrics.accepted.inc(events.length);
    return events;
  }

  validate(body: unknown): TelemetryEvent[] {
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0 || items.length > EVENT_LIMITS.maxBatch) {
      this.metrics.rejected.inc({ reason: 'batch_size' });
      throw new InvalidEventsError([{ index: -1, path: '', message: `a batch holds 1 to ${EVENT_LIMITS.maxBatch} events, got ${items.length}` }]);
    }
    const now = this.clock();
    const issues: EventIssue[] = [];
    const events: TelemetryEvent[] = [];
    items.forEach((item, index) => {
      const parsed = TelemetryEventSchema.safeParse(item);
      if (!parsed.success) return issues.push(...toIssues(index, parsed.error));
      if (parsed.data.time > now + EVENT_LIMITS.maxFutureSkewMs) {
        return issues.push({ index, path: 'time', message: 'event time is more than 1 h in the future' });
      }
      events.push({ v: 1, ...parsed.data, id: parsed.data.id ?? randomUUID() });
    });
    if (issues.length > 0) {
      this.metrics.rejected.inc({ reason: 'invalid' }, items.length);
      throw new InvalidEventsError(issues);
    }
    return events;
  }
}

const toIssues = (index: number, error: z.ZodError): EventIssue[] =>
  error.issues.map((i) => ({ index, path: i.path.join('.'), message: i.message }));
