import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { z } from 'zod';
import { EVENT_LIMITS, TelemetryEvent, TelemetryEventSchema } from '@smartscale/contracts';
import { INGEST_CONFIG, IngestConfig } from '../config/ingest.config';
import { MalformedLine } from './body-parsers';
import { Clock, CLOCK } from './clock';
import { compileEventAcceptor } from './event-acceptor';
import { EVENT_SINK, EventSink } from './event-sink.adapter';
import { IngestMetrics } from './ingest-metrics';
import { ServiceCap, ServiceCapError } from './service-cap';

export { CLOCK } from './clock';
export type { Clock } from './clock';

export interface EventIssue {
  index: number;
  path: string;
  message: string;
}

/** A request whose events are not all valid (or, with partial acceptance, none valid); nothing was stored. */
export class InvalidEventsError extends Error {
  constructor(readonly issues: EventIssue[]) {
    super(`${issues.length} invalid event field(s)`);
  }
}

/** The broker did not acknowledge: the client should retry, and nothing is claimed as accepted. */
export class SinkUnavailableError extends Error {}

export interface IngestOptions {
  /** Store the valid items of a mixed batch and report the others; default all-or-nothing. */
  partial: boolean;
  /**
   * The seed of the ids of events sent without one (a digest of the client's key and the body): a
   * retry of the same body gets the same ids, so the aggregator counts it once. Unset: random ids.
   */
  idSeed?: () => string;
  /** Whose request this is (API key or address), for the per-client service cap. */
  clientId?: string;
}

export interface IngestResult {
  stored: TelemetryEvent[];
  /** Indexes (in the request) of the stored events, aligned with `stored`. */
  indexes: number[];
  /** Only with partial acceptance: the items left out, every reason listed. */
  issues: EventIssue[];
}

type IssueReason = 'invalid' | 'too_old' | 'future';

@Injectable()
export class EventsService {
  private readonly retentionMs: number;
  private readonly maxAgeMs: number;
  private readonly maxFutureSkewMs: number;
  /** Ajv compiled from the zod schema: accepts the valid majority fast; zod then explains the rest. */
  private readonly accept = compileEventAcceptor();

  constructor(
    @Inject(EVENT_SINK) private readonly sink: EventSink,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
    private readonly serviceCap: ServiceCap,
    @Inject(INGEST_CONFIG) config: IngestConfig,
  ) {
    this.retentionMs = config.events.retentionMs;
    this.maxAgeMs = config.events.maxAgeMs;
    this.maxFutureSkewMs = config.events.maxFutureSkewMs;
  }

  /** Validates the whole batch first, then stores what is accepted; resolves once the broker acknowledged. */
  async ingest(body: unknown, options: IngestOptions = { partial: false }): Promise<IngestResult> {
    const { events, indexes, issues, reasons } = this.validate(body, options.idSeed);
    for (const [reason, n] of reasons) this.metrics.rejected.inc({ reason }, n);
    if (issues.length > 0 && (!options.partial || events.length === 0)) {
      // All-or-nothing: the valid items of a rejected batch are rejected too.
      if (!options.partial) this.metrics.rejected.inc({ reason: 'batch_rejected' }, events.length);
      throw new InvalidEventsError(issues);
    }
    try {
      this.serviceCap.admit(options.clientId ?? 'anonymous', distinctServices(events));
    } catch (err) {
      if (err instanceof ServiceCapError) {
        this.metrics.rejected.inc({ reason: 'service_cap' }, events.length);
        this.metrics.rejectRequest('service_cap');
      }
      throw err;
    }
    this.metrics.servicesTracked.set(this.serviceCap.tracked);
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
    return { stored: events, indexes, issues };
  }

  private validate(
    body: unknown,
    idSeed?: () => string,
  ): { events: TelemetryEvent[]; indexes: number[]; issues: EventIssue[]; reasons: Map<IssueReason, number> } {
    const items = Array.isArray(body) ? body : [body];
    if (items.length === 0 || items.length > EVENT_LIMITS.maxBatch) {
      this.metrics.rejected.inc({ reason: 'batch_size' }, items.length);
      throw new InvalidEventsError([
        { index: -1, path: '', message: `a batch holds 1 to ${EVENT_LIMITS.maxBatch} events, got ${items.length}` },
      ]);
    }
    const now = this.clock();
    const oldest = now - this.maxAgeMs;
    const latest = now + this.maxFutureSkewMs;
    const issues: EventIssue[] = [];
    const events: TelemetryEvent[] = [];
    const indexes: number[] = [];
    const reasons = new Map<IssueReason, number>();
    const reject = (reason: IssueReason, found: EventIssue[]): void => {
      issues.push(...found);
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    };
    // id of an event sent without one: the body's seed and the event's index (computed once, lazily)
    let at = 0;
    let seed: string | undefined;
    const missingId = idSeed ? () => `${(seed ??= idSeed())}-${at}` : randomUUID;
    items.forEach((item: unknown, index) => {
      if (item instanceof MalformedLine) return reject('invalid', [{ index, path: '', message: item.message }]);
      at = index;
      let event = this.accept(item, missingId);
      if (event === undefined) {
        const parsed = TelemetryEventSchema.safeParse(item);
        if (!parsed.success) return reject('invalid', toIssues(index, parsed.error));
        event = { v: 1, ...parsed.data, id: parsed.data.id ?? missingId() };
      }
      const { time } = event;
      // A time ahead of this clock would move the stream time of its partition, and so close the
      // windows of every service on it: the bound is small (SMARTSCALE_MAX_FUTURE_SKEW_MS).
      if (time > latest) {
        return reject('future', [
          {
            index,
            path: 'time',
            message: `event time is more than ${formatDuration(this.maxFutureSkewMs)} ahead of the server clock (SMARTSCALE_MAX_FUTURE_SKEW_MS=${this.maxFutureSkewMs})`,
          },
        ]);
      }
      // The broker deletes (and, with message.timestamp.type=CreateTime, may refuse) records older than
      // the topic's retention: accepting one would claim a store that cannot hold. An old event cannot
      // move stream time (it only goes forward), so the default bound is the retention itself.
      if (time < oldest) {
        const bound =
          this.maxAgeMs === this.retentionMs
            ? `the events topic's retention (${formatDuration(this.retentionMs)})`
            : `${formatDuration(this.maxAgeMs)} (SMARTSCALE_INGEST_MAX_EVENT_AGE_MS)`;
        return reject('too_old', [{ index, path: 'time', message: `event time is older than ${bound}` }]);
      }
      events.push(event);
      indexes.push(index);
    });
    return { events, indexes, issues, reasons };
  }
}

function distinctServices(events: TelemetryEvent[]): Iterable<string> {
  if (events.length === 1) return [events[0].service];
  const services = new Set<string>();
  for (const e of events) services.add(e.service);
  return services;
}

const toIssues = (index: number, error: z.ZodError): EventIssue[] =>
  error.issues.map((i) => ({ index, path: i.path.join('.'), message: i.message }));

function formatDuration(ms: number): string {
  const h = ms / 3_600_000;
  if (h >= 24 && h % 24 === 0) return `${h / 24} d`;
  if (h >= 1) return `${Math.round(h * 10) / 10} h`;
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
