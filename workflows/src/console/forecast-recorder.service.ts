import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ControllerStatus } from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { loadTargets } from '../config/targets';
import { TargetsService } from '../control/targets.service';
import { LatestWindowsStore } from '../observe/latest-windows.store';
import { ForecastHistory } from './forecast-history';
import { PredictorHttpAdapter } from './predictor-http.adapter';

const CHECK_EVERY_MS = 1_000;
/** A target's service and horizon are read again from its workflow this often (its policy can change). */
const RELEARN_AFTER_MS = 60_000;
const RETRY_AFTER_MS = 10_000;
const QUERY_TIMEOUT_MS = 2_500;

export interface KnownTarget {
  id: string;
  service: string;
  /** The policy's forecast horizon: the forecast the controller plans on, and the one the chart shows ahead. */
  horizon: number;
}

/**
 * Asks the predictor for a forecast each time a target's service closes a window, whether or not a
 * console is open, so that the chart's past forecast band has no hole where nobody was watching.
 * One request per service per window: cheap next to the controller's own. It also keeps which service
 * each target follows: targets come from the file and from the API (TargetsService.ids()), and
 * only a target's workflow knows the service of one added through the API.
 */
@Injectable()
export class ForecastRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ConsoleForecasts');
  readonly history = new ForecastHistory();
  private readonly seen = new Map<string, number>();
  private readonly known = new Map<string, KnownTarget>();
  private readonly nextLearn = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  /** The check in progress: a slow one (Temporal or the predictor timing out) makes the next ones skip, not queue. */
  private running: Promise<void> | null = null;
  private failing = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly targetsService: TargetsService,
    private readonly windows: LatestWindowsStore,
    private readonly predictor: PredictorHttpAdapter,
  ) {}

  /** The targets the worker controls now whose service is known, by id. */
  targets(): KnownTarget[] {
    return this.targetsService.ids().flatMap((id) => this.known.get(id) ?? []);
  }

  learn(status: ControllerStatus, now = Date.now()): void {
    this.known.set(status.targetId, { id: status.targetId, service: status.service, horizon: status.policy.forecastHorizonWindows });
    this.nextLearn.set(status.targetId, now + RELEARN_AFTER_MS);
  }

  onApplicationBootstrap(): void {
    // The file's targets are known at once, even while Temporal cannot be queried.
    for (const t of loadTargets(this.config.targetsFile))
      this.known.set(t.id, { id: t.id, service: t.service, horizon: t.policy.forecastHorizonWindows });
    this.timer = setInterval(() => {
      this.running ??= this.check().finally(() => {
        this.running = null;
      });
    }, CHECK_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async check(): Promise<void> {
    await this.relearn();
    const services = new Map(this.targets().map((t) => [t.service, t.horizon]));
    for (const [service, horizon] of services) {
      const w = this.windows.latestFor(service);
      if (!w || this.seen.get(service) === w.windowEnd) continue;
      try {
        const f = await this.predictor.forecast(service, horizon);
        if (f) this.history.add(f);
        // Only a forecast based on this window counts as seen: the predictor may not have read it yet.
        if (f && f.basedOnWindowEnd >= w.windowEnd) this.seen.set(service, w.windowEnd);
        this.failing = false;
      } catch (err) {
        if (!this.failing) this.logger.warn(`no forecast for the console: ${(err as Error).message}`);
        this.failing = true;
      }
    }
  }

  private async relearn(): Promise<void> {
    const now = Date.now();
    const ids = new Set(this.targetsService.ids());
    for (const id of this.known.keys()) if (!ids.has(id)) this.known.delete(id);
    for (const id of ids) {
      if ((this.nextLearn.get(id) ?? 0) > now) continue;
      this.nextLearn.set(id, now + RETRY_AFTER_MS);
      const status = await Promise.race([
        this.targetsService.status(id),
        new Promise<null>((resolve) => setTimeout(resolve, QUERY_TIMEOUT_MS, null).unref()),
      ]).catch(() => null);
      if (status) this.learn(status, now);
    }
  }
}
