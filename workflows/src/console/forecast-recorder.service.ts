import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { ScalingTarget } from '@smartscale/contracts';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { loadTargets } from '../config/targets';
import { LatestWindowsStore } from '../observe/latest-windows.store';
import { ForecastHistory } from './forecast-history';
import { PredictorHttpAdapter } from './predictor-http.adapter';

const CHECK_EVERY_MS = 1_000;

/**
 * Asks the predictor for a forecast each time a target's service closes a window, whether or not a
 * console is open, so that the chart's past forecast band has no hole where nobody was watching.
 * One request per service per window: cheap next to the controller's own.
 */
@Injectable()
export class ForecastRecorder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ConsoleForecasts');
  readonly history = new ForecastHistory();
  private readonly seen = new Map<string, number>();
  private targetList: ScalingTarget[] = [];
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private failing = false;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly windows: LatestWindowsStore,
    private readonly predictor: PredictorHttpAdapter,
  ) {}

  /** The configured targets (the same file ControllersService starts them from). */
  targets(): ScalingTarget[] {
    return this.targetList;
  }

  onApplicationBootstrap(): void {
    this.targetList = loadTargets(this.config.targetsFile);
    this.timer = setInterval(() => {
      this.running = this.running.then(() => this.check());
    }, CHECK_EVERY_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  private async check(): Promise<void> {
    for (const t of this.targetList) {
      const w = this.windows.latestFor(t.service);
      if (!w || this.seen.get(t.service) === w.windowEnd) continue;
      try {
        const f = await this.predictor.forecast(t.service, t.policy.forecastHorizonWindows);
        // Only a forecast based on this window counts as seen: the predictor may not have read it yet.
        if (f) this.history.add(f);
        if (f && f.basedOnWindowEnd >= w.windowEnd) this.seen.set(t.service, w.windowEnd);
        this.failing = false;
      } catch (err) {
        if (!this.failing) this.logger.warn(`no forecast for the console: ${(err as Error).message}`);
        this.failing = true;
      }
    }
  }
}
