import { readFileSync } from 'node:fs';
import { Server, ServerCredentials } from '@grpc/grpc-js';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { WorkflowNotFoundError } from '@temporalio/client';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { TargetsService, isNotFound } from '../control/targets.service';
import { ChosenCounts, externalScalerHandlers, externalScalerService, UnknownTarget } from './external-scaler.handlers';
import { KedaDecisions } from './keda-decisions';

/**
 * KEDA's external scaler on SMARTSCALE_KEDA_PORT (docs/kubernetes.md), when SMARTSCALE_KEDA_ENABLED.
 * The count it serves is the controller's: its status (currentReplicas, the count last applied) is the
 * source of truth, and a newer publish by this worker's own apply activity wins until the status has it.
 */
@Injectable()
export class ExternalScalerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExternalScalerService.name);
  private server: Server | null = null;
  private boundPort: number | null = null;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    private readonly targets: TargetsService,
    private readonly decisions: KedaDecisions,
  ) {}

  /** The port it listens on (the configured one, or the one picked for port 0); null when disabled. */
  port(): number | null {
    return this.boundPort;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { enabled, host, port, tls } = this.config.keda;
    if (!enabled) return;
    const server = new Server();
    server.addService(externalScalerService(), externalScalerHandlers(this.counts()));
    const credentials = tls
      ? ServerCredentials.createSsl(
          tls.ca ? readFileSync(tls.ca) : null,
          [{ cert_chain: readFileSync(tls.cert), private_key: readFileSync(tls.key) }],
          tls.ca !== null,
        )
      : ServerCredentials.createInsecure();
    this.boundPort = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`${host}:${port}`, credentials, (err, bound) => (err ? reject(err) : resolve(bound))),
    );
    this.server = server;
    this.logger.log(`KEDA external scaler listening on ${host}:${this.boundPort} (${tls ? (tls.ca ? 'mutual TLS' : 'TLS') : 'plaintext'})`);
  }

  /** Open StreamIsActive calls would hold tryShutdown forever: they end with the server. */
  async onApplicationShutdown(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const forced = setTimeout(() => (server.forceShutdown(), resolve()), 2_000);
      server.tryShutdown(() => (clearTimeout(forced), resolve()));
    });
  }

  private counts(): ChosenCounts {
    return {
      count: async (targetId) => {
        let status;
        try {
          status = await this.targets.status(targetId);
        } catch (err) {
          if (isNotFound(err) || err instanceof WorkflowNotFoundError) throw new UnknownTarget((err as Error).message);
          throw err;
        }
        const fromStatus = { replicas: status.currentReplicas ?? status.policy.minReplicas, at: status.lastDecision?.at ?? 0 };
        const published = this.decisions.get(targetId);
        const replicas = published && published.at >= fromStatus.at ? published.replicas : fromStatus.replicas;
        return { replicas, tickMs: status.policy.tickIntervalMs };
      },
      subscribe: (targetId, fn) => this.decisions.subscribe(targetId, (p) => fn(p.replicas)),
    };
  }
}
