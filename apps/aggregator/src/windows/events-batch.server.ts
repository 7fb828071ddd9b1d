import { Logger } from '@nestjs/common';
import { BaseRpcContext, CustomTransportStrategy, Server } from '@nestjs/microservices';
import { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import type { AggregatorConfig } from '../config/aggregator.config';

/** What the transport hands to the app, by @EventPattern (WindowsController). */
export const EVENTS_BATCH_PATTERNS = {
  /** The partitions of the events topic this member got in a rebalance (payload: number[]). */
  assigned: 'aggregator.events.assigned',
  /** One fetched batch of one partition (payload: kafkajs EachBatchPayload); the next waits for it. */
  batch: 'aggregator.events.batch',
  /** The wall clock moved (no payload): idle partitions close windows, pending steps get committed. */
  tick: 'aggregator.events.tick',
  /** The transport is closing (no payload): commit what was processed before it leaves the group. */
  drain: 'aggregator.events.drain',
} as const;

/** The consumer's flow control of the events topic's partitions, for the handlers (rewind, fencing). */
export interface PartitionFlow {
  pause(partitions: number[]): void;
  resume(partitions: number[]): void;
  seek(partition: number, offset: string): void;
}

export class EventsBatchContext extends BaseRpcContext<[PartitionFlow]> {
  get flow(): PartitionFlow {
    return this.args[0];
  }
}

export interface EventsBatchServerOptions {
  topic: string;
  /** How often `tick` is sent. */
  tickMs: number;
}

/**
 * How often idle partitions are checked so that their last windows close, and pending steps are
 * committed: at most this, and no slower than the shortest commit interval the settings allow.
 */
const TICK_MS = 100;

/**
 * A Nest transport over one kafkajs consumer-group member of the events topic: it owns the consumer's
 * lifecycle (listen() connects, subscribes and runs it; close() drains through the app, then leaves the
 * group) and hands assignments, batches and clock ticks to the app's event handlers. Batches are not
 * auto-committed or auto-resolved: the handlers own offsets, inside their transactions.
 */
export class EventsBatchServer extends Server implements CustomTransportStrategy {
  private readonly log = new Logger(EventsBatchServer.name);
  private readonly context: EventsBatchContext;
  private timer: NodeJS.Timeout | null = null;
  private closing: Promise<void> | null = null;

  constructor(
    private readonly consumer: Consumer,
    private readonly options: EventsBatchServerOptions,
  ) {
    super();
    const topic = options.topic;
    this.context = new EventsBatchContext([
      {
        pause: (partitions) => consumer.pause([{ topic, partitions }]),
        resume: (partitions) => consumer.resume([{ topic, partitions }]),
        seek: (partition, offset) => consumer.seek({ topic, partition, offset }),
      },
    ]);
  }

  async listen(callback: (err?: unknown) => void): Promise<void> {
    const { topic, tickMs } = this.options;
    try {
      await this.consumer.connect();
      this.consumer.on(this.consumer.events.GROUP_JOIN, ({ payload }) =>
        this.notify(EVENTS_BATCH_PATTERNS.assigned, payload.memberAssignment[topic] ?? []),
      );
      await this.consumer.subscribe({ topic, fromBeginning: true });
      await this.consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        eachBatch: (payload: EachBatchPayload) => this.dispatch(EVENTS_BATCH_PATTERNS.batch, payload),
      });
      this.timer = setInterval(() => this.notify(EVENTS_BATCH_PATTERNS.tick, undefined), tickMs);
      callback();
    } catch (err) {
      callback(err);
    }
  }

  /** Idempotent: Nest may close a hybrid app's transports more than once. */
  close(): Promise<void> {
    this.closing ??= this.drainAndStop();
    return this.closing;
  }

  /** Nothing to listen to on this transport: its events are the handlers'. */
  on(): never {
    throw new Error(`${EventsBatchServer.name} has no events of its own`);
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async drainAndStop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    try {
      await this.dispatch(EVENTS_BATCH_PATTERNS.drain, undefined);
    } finally {
      // Leaving the group hands the partitions over now instead of after the session timeout.
      await this.consumer.disconnect();
    }
  }

  /** For callers that do not wait (kafkajs events, the timer): failures are logged, never unhandled. */
  private notify(pattern: string, data: unknown): void {
    this.dispatch(pattern, data).catch((err: unknown) => this.log.error(`${pattern} failed: ${(err as Error).stack}`));
  }

  private async dispatch(pattern: string, data: unknown): Promise<void> {
    const handler = this.getHandlerByPattern(pattern);
    if (!handler) throw new Error(`no handler for ${pattern}`);
    const result: unknown = await handler(data, this.context);
    // Nest hands back a handler's failure as an erroring observable.
    if (isObservable(result)) await lastValueFrom(result, { defaultValue: undefined });
  }
}

/** The aggregator's transport, from its config and the app's kafkajs client; nothing connects before listen(). */
export function buildEventsBatchServer(config: AggregatorConfig, kafka: Kafka): EventsBatchServer {
  const consumer = kafka.consumer({ groupId: config.kafka.groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  const { batching } = config;
  const shortest = batching.mode === 'fixed' ? batching.initial.commitIntervalMs : batching.pacer.minIntervalMs;
  return new EventsBatchServer(consumer, { topic: config.topics.events, tickMs: Math.min(TICK_MS, shortest) });
}
