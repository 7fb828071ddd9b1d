import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import { DecisionRecorder } from '../activities/decision-recorder.adapter';
import { createControllerActivities } from '../activities/controller.activities';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { GroupLagProbe } from '../observe/group-lag.probe';
import { LatestWindowsStore } from '../observe/latest-windows.store';
import { PredictorClient } from '../observe/predictor.client';
import { ScalersService } from '../scalers/scalers.service';
import { loadOrBundle } from './workflow-bundle';
import { WorkerMetrics } from './worker-metrics';

/** Runs the Temporal worker inside the Nest app: started on bootstrap, drained on shutdown. */
@Injectable()
export class ControllerWorkerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ControllerWorkerService.name);
  private worker: Worker | null = null;
  private running: Promise<void> | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly windows: LatestWindowsStore,
    private readonly predictor: PredictorClient,
    private readonly scalers: ScalersService,
    private readonly recorder: DecisionRecorder,
    private readonly lag: GroupLagProbe,
    private readonly metrics: WorkerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const activities = createControllerActivities({
      latestWindow: (service) => this.windows.latestFor(service),
      pendingEvents: () => this.lag.pendingEvents().catch(() => null),
      forecast: (service, horizon) => this.predictor.forecast(service, horizon),
      scalerFor: (target) => this.scalers.forTarget(target),
      record: async (targetId, decision) => {
        await this.recorder.record(targetId, decision);
        this.metrics.decisionRecorded(targetId, decision, Date.now());
      },
      limits: this.config.limits,
    });
    const connection = await NativeConnection.connect(this.config.temporal.connection);
    this.worker = await Worker.create({
      connection,
      namespace: this.config.temporal.namespace,
      taskQueue: this.config.temporal.taskQueue,
      workflowBundle: await loadOrBundle(this.config.root, this.config.workflowBundle),
      activities,
      interceptors: { activity: [this.metrics.activityInterceptor()] },
    });
    this.running = this.worker.run().finally(() => connection.close());
    this.logger.log(`worker polling task queue ${this.config.temporal.taskQueue}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.worker && this.worker.getState() === 'RUNNING') this.worker.shutdown();
    await this.running;
  }
}
