import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection } from '@temporalio/client';
import type { ReadinessCheck } from '@smartscale/ops';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/** One Temporal client connection for the control API and the target starter. */
@Injectable()
export class TemporalClientProvider implements OnApplicationShutdown, ReadinessCheck {
  readonly name = 'temporal';
  private connection: Connection | null = null;
  private clientPromise: Promise<Client> | null = null;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  client(): Promise<Client> {
    this.clientPromise ??= Connection.connect(this.config.temporal.connection).then((connection) => {
      this.connection = connection;
      return new Client({ connection, namespace: this.config.temporal.namespace });
    });
    return this.clientPromise;
  }

  async check(): Promise<boolean> {
    await this.client();
    await this.connection?.healthService.check({});
    return this.connection !== null;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection?.close();
  }
}
