import { Injectable } from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { EVENT_LIMITS } from '@smartscale/contracts';
import { ApiKeys } from '../events/api-keys';
import { EventsService, InvalidEventsError, SinkUnavailableError } from '../events/events.service';
import { RETRY_AFTER_SECONDS } from '../events/ingest-http';
import { RateLimiter } from '../events/rate-limiter';
import { ServiceCapError } from '../events/service-cap';
import { mapMetrics } from './metric-mapping';
import type { ExportMetricsServiceRequest, ExportTraceServiceRequest } from './otlp-model';
import { Mapped, MappingResult, rejectionMessage } from './otlp-mapping';
import { OtlpMetrics } from './otlp-metrics';
import { MetricsRequest, TraceRequest } from './otlp-proto';
import type { Encoding, Signal } from './otlp-responses';
import { mapTraces } from './span-mapping';

/** A request answered with an OTLP failure: `status` and a google.rpc.Status message (and Retry-After when retryable). */
export class OtlpFailure extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 429 | 503,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export interface ExportOutcome {
  accepted: number;
  rejected: number;
  /** Set when something was rejected: every reason with its count. */
  message?: string;
}

const NOUN: Record<Signal, string> = { traces: 'spans', metrics: 'data points' };

/**
 * The OTLP receiver's one job above the mapping: decode, map, apply the key's scope and rate limit as
 * POST /v1/events does, then store through EventsService (the same validation, sink, producers and
 * "answered only after the broker acknowledged"). Nothing here produces to Kafka itself.
 */
@Injectable()
export class OtlpService {
  constructor(
    private readonly events: EventsService,
    private readonly keys: ApiKeys,
    private readonly limiter: RateLimiter,
    private readonly metrics: OtlpMetrics,
  ) {}

  /** `clientId`: the share the pre-body checks admitted the request under, so OTLP clients get their own service caps. */
  async export(signal: Signal, body: unknown, encoding: Encoding, headers: IncomingHttpHeaders, clientId?: string): Promise<ExportOutcome> {
    // ingest-http's onRequest hook already refused a missing or unknown key; this reads its scope.
    const key = this.keys.check(headers);
    if (!key.ok) throw new OtlpFailure(key.status, key.message);
    const result =
      signal === 'traces'
        ? mapTraces(decode(signal, body, encoding) as ExportTraceServiceRequest)
        : mapMetrics(decode(signal, body, encoding) as ExportMetricsServiceRequest);
    this.metrics.droppedAttributes.inc({ signal }, result.droppedAttributes);

    const inScope = this.withinScope(result, key.scope?.services);
    const waitSeconds = inScope.length > 0 ? this.limiter.take(key.id, inScope.length) : 0;
    if (waitSeconds > 0) throw new OtlpFailure(429, 'rate limit of this API key exceeded; retry after Retry-After', waitSeconds);

    const accepted = await this.store(inScope, result, clientId);
    this.count(signal, accepted, result);
    const rejected = result.total - accepted;
    return rejected > 0 ? { accepted, rejected, message: rejectionMessage(result, NOUN[signal]) } : { accepted, rejected };
  }

  /** A key may only write its own services: spans and points of others are rejected, not the request. */
  private withinScope(result: MappingResult, services: '*' | ReadonlySet<string> | undefined): Mapped[] {
    if (services === undefined || services === '*') return result.events;
    const inScope: Mapped[] = [];
    for (const m of result.events) {
      if (services.has(m.event.service)) inScope.push(m);
      else result.reject('out_of_scope', 1, `service "${m.event.service}"`);
    }
    return inScope;
  }

  /** Stores through EventsService in batches it takes, all at once; events it refuses become rejections. */
  private async store(mapped: Mapped[], result: MappingResult, clientId: string | undefined): Promise<number> {
    const batches: Mapped[][] = [];
    for (let i = 0; i < mapped.length; i += EVENT_LIMITS.maxBatch) batches.push(mapped.slice(i, i + EVENT_LIMITS.maxBatch));
    try {
      const stored = await Promise.all(batches.map((batch) => this.storeBatch(batch, result, clientId)));
      return stored.reduce((a, b) => a + b, 0);
    } catch (err) {
      // Nothing is claimed as stored: the exporter retries the whole request, and the ids (trace and
      // span ids, data point hashes) let the aggregator count an event stored twice once.
      if (err instanceof SinkUnavailableError)
        throw new OtlpFailure(503, `broker unavailable: ${err.message}; retry after Retry-After`, RETRY_AFTER_SECONDS);
      // OTLP's throttling answer: the exporter backs off and retries, as for a rate limit.
      if (err instanceof ServiceCapError) throw new OtlpFailure(429, err.message, err.retryAfterSeconds);
      throw err;
    }
  }

  private async storeBatch(batch: Mapped[], result: MappingResult, clientId: string | undefined): Promise<number> {
    try {
      const { stored, issues } = await this.events.ingest(
        batch.map((m) => m.event),
        { partial: true, clientId },
      );
      this.rejectIssues(issues, batch, result);
      return stored.length;
    } catch (err) {
      if (!(err instanceof InvalidEventsError)) throw err;
      this.rejectIssues(err.issues, batch, result);
      return 0;
    }
  }

  private rejectIssues(issues: { index: number; path: string; message: string }[], batch: Mapped[], result: MappingResult): void {
    const byItem = new Map<number, string>();
    for (const issue of issues) if (!byItem.has(issue.index)) byItem.set(issue.index, `${issue.path || 'event'}: ${issue.message}`);
    for (const [index, message] of byItem) result.reject('invalid_event', 1, `${message} (item ${batch[index]?.index ?? index})`);
  }

  private count(signal: Signal, accepted: number, result: MappingResult): void {
    if (accepted > 0) this.metrics.items.inc({ signal, outcome: 'accepted', reason: '' }, accepted);
    for (const [reason, { count }] of result.rejected) this.metrics.items.inc({ signal, outcome: 'rejected', reason }, count);
  }
}

/** Binary protobuf through the OpenTelemetry project's generated decoder; OTLP/JSON arrives parsed. */
function decode(signal: Signal, body: unknown, encoding: Encoding): unknown {
  if (encoding === 'protobuf') {
    if (!Buffer.isBuffer(body)) throw new OtlpFailure(400, 'empty or unreadable protobuf body');
    try {
      return (signal === 'traces' ? TraceRequest : MetricsRequest).decode(body);
    } catch (err) {
      throw new OtlpFailure(
        400,
        `body is not a valid ${signal === 'traces' ? 'ExportTraceServiceRequest' : 'ExportMetricsServiceRequest'}: ${(err as Error).message}`,
      );
    }
  }
  // An empty body is an empty request, which the spec answers with success.
  if (body === undefined || body === null) return {};
  const field = signal === 'traces' ? 'resourceSpans' : 'resourceMetrics';
  const envelope = body as Record<string, unknown>;
  if (
    typeof body !== 'object' ||
    Array.isArray(body) ||
    (envelope[field] !== undefined && envelope[field] !== null && !Array.isArray(envelope[field]))
  ) {
    throw new OtlpFailure(
      400,
      `body is not an OTLP/JSON ${signal === 'traces' ? 'ExportTraceServiceRequest' : 'ExportMetricsServiceRequest'} (an object whose "${field}" is an array)`,
    );
  }
  return body;
}
