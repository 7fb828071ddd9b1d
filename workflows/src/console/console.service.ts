import { Injectable, MessageEvent, OnModuleDestroy } from '@nestjs/common';
import { defer, exhaustMap, mergeMap, Observable, shareReplay, Subject, takeUntil, timer } from 'rxjs';
import type { Decision } from '@smartscale/contracts';
import type { ReadinessCheck } from '@smartscale/ops';
import { MAX_LIMIT, TimeRange } from '@smartscale/store';
import { TargetsService } from '../control/targets.service';
import { HistoryService } from '../history/history.service';
import { LatestWindowsStore } from '../observe/latest-windows.store';
import { TemporalClientProvider } from '../worker/temporal-client.provider';
import { changesBetween, decisionsAfter, stateOf } from './console-diff';
import { ChartData, ConsoleEvent, ConsoleHealth, ConsoleSnapshot, TargetView } from './console.types';
import { ForecastRecorder } from './forecast-recorder.service';
import { PredictorHttpAdapter } from './predictor-http.adapter';

export const POLL_MS = 1_000;
/** A query or check slower than this counts as down: the page must not freeze behind a hung backend. */
const CHECK_TIMEOUT_MS = 2_500;
/** Browsers reconnect an EventSource after this long once the connection drops. */
const RECONNECT_MS = 2_000;

interface Tick {
  snapshot: ConsoleSnapshot;
  events: ConsoleEvent[];
}

const withTimeout = <T>(p: Promise<T>, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS).unref(),
    ),
  ]);

/**
 * The console's live feed. One poller (running while at least one page is connected) reads every
 * target's status, the newest windows and forecasts and the backend's health each second; each page
 * gets a snapshot when it connects and then only what changed.
 */
@Injectable()
export class ConsoleService implements OnModuleDestroy {
  private readonly closing = new Subject<void>();
  private previous: ConsoleSnapshot | null = null;
  private readonly lastSeq = new Map<string, number>();
  private readonly feed: Observable<Tick>;

  constructor(
    private readonly targets: TargetsService,
    private readonly history: HistoryService,
    private readonly windows: LatestWindowsStore,
    private readonly temporal: TemporalClientProvider,
    private readonly predictor: PredictorHttpAdapter,
    private readonly forecasts: ForecastRecorder,
  ) {
    // exhaustMap: a poll slower than a second (Temporal timing out) skips ticks instead of piling up.
    this.feed = timer(0, POLL_MS).pipe(
      exhaustMap(() => defer(() => this.poll())),
      takeUntil(this.closing),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  /** Server-sent events for one page: `snapshot` first, then `status`, `decision`, `window`, `forecast`, `health`. */
  events(): Observable<MessageEvent> {
    return this.feed.pipe(
      mergeMap((tick, i): MessageEvent[] => (i === 0 ? [{ type: 'snapshot', data: tick.snapshot, retry: RECONNECT_MS }] : tick.events)),
    );
  }

  async chart(targetId: string, range: { from: number; to: number }): Promise<ChartData> {
    if (!this.targets.ids().includes(targetId)) throw new UnknownConsoleTargetError(`unknown target "${targetId}"`);
    const target = this.forecasts.targets().find((t) => t.id === targetId) ?? (await this.targets.status(targetId));
    const sql: TimeRange = { from: range.from, to: range.to, limit: MAX_LIMIT };
    const [windows, decisions] = await Promise.all([this.history.windows(target.service, sql), this.history.decisions(targetId, sql)]);
    return {
      targetId,
      service: target.service,
      ...range,
      windows: windows.reverse().map((w) => ({ windowEnd: w.windowEnd, eventsPerSecond: w.eventsPerSecond, consumerLag: w.consumerLag })),
      decisions: decisions.reverse().map((d) => ({
        seq: d.seq,
        at: d.at,
        action: d.action,
        from: d.from,
        to: d.to,
        reasons: d.reasons,
        inputs: d.inputs,
        applied: d.applied,
        runId: d.runId,
      })),
      forecastHistory: this.forecasts.history.between(target.service, range.from, range.to),
      forecast: this.forecasts.history.latestFor(target.service),
      workflowUrl: this.targets.uiLink(targetId),
    };
  }

  onModuleDestroy(): void {
    // Ends every open event stream, so that closing the HTTP server does not wait for pages to leave.
    this.closing.next();
    this.closing.complete();
  }

  private async poll(): Promise<Tick> {
    const now = Date.now();
    const known = new Map(this.forecasts.targets().map((t) => [t.id, t.service]));
    const [views, health] = await Promise.all([
      Promise.all(this.targets.ids().map((id) => this.view(id, known.get(id) ?? '', now))),
      this.health(),
    ]);
    const services = [...new Set(views.map((v) => v.service).filter((s) => s !== ''))];
    const snapshot: ConsoleSnapshot = {
      at: now,
      targets: views,
      health,
      windows: Object.fromEntries(services.map((s) => [s, this.windows.latestFor(s)])),
      forecasts: Object.fromEntries(services.map((s) => [s, this.forecasts.history.latestFor(s)])),
    };
    const decisions = await this.newDecisions(views);
    const events = this.previous ? changesBetween(this.previous, snapshot, decisions) : [];
    this.previous = snapshot;
    return { snapshot, events };
  }

  private async view(id: string, service: string, now: number): Promise<TargetView> {
    const workflowUrl = this.targets.uiLink(id);
    try {
      const status = await withTimeout(this.targets.status(id), 'the status query');
      this.forecasts.learn(status, now);
      return { id, service: status.service, state: stateOf(status, now), status, error: null, workflowUrl };
    } catch (err) {
      return { id, service, state: 'unknown', status: null, error: (err as Error).message, workflowUrl };
    }
  }

  private async newDecisions(views: TargetView[]): Promise<Map<string, Decision[]>> {
    const found = new Map<string, Decision[]>();
    for (const v of views) {
      if (!v.status) continue;
      const list = await decisionsAfter(this.lastSeq.get(v.id), v.status, () =>
        withTimeout(this.targets.decisions(v.id), 'the decisions query'),
      ).catch(() => []);
      found.set(v.id, list);
      this.lastSeq.set(v.id, v.status.lastDecision?.seq ?? 0);
    }
    return found;
  }

  private async health(): Promise<ConsoleHealth> {
    const ok = (c: ReadinessCheck) => withTimeout(c.check(), c.name).catch(() => false);
    const [broker, temporal, history, predictor] = await Promise.all([
      ok(this.windows),
      ok(this.temporal),
      ok(this.history),
      this.predictor.reachable(),
    ]);
    return { broker, temporal, history, predictor };
  }
}

export class UnknownConsoleTargetError extends Error {}
