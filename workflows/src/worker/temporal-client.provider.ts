import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Client, Connection, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { ReadinessCheck } from '@smartscale/ops';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { retriesUntilClosed } from './retries-until-closed';

/** One Temporal client connection for the control API and the target starter. */
@Injectable()
export class TemporalClientProvider implements OnApplicationShutdown, ReadinessCheck {
  readonly name = 'temporal';
  private connection: Connection | null = null;
  private clientPromise: Promise<Client> | null = null;
  private readonly retries = retriesUntilClosed();

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  client(): Promise<Client> {
    const options = { ...this.config.temporal.connection, interceptors: [makeGrpcRetryInterceptor(this.retries.options)] };
    this.clientPromise ??= Connection.connect(options).then((connection) => {
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
    await this.retries.close();
    await this.connection?.close();
  }
}
