import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { BatchMetric, BatchMetricSchema, Decision, TOPICS, WindowMetric } from '@smartscale/contracts';
import { Kafka } from 'kafkajs';
import { InjectKafka, JsonTopicReader } from '@smartscale/kafka';
import type { ReadinessCheck } from '@smartscale/ops';
import { HistoryStore, StoredDecision, TimeRange, WorkflowRef } from '@smartscale/store';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';
import { BufferedWriter } from './buffered-writer';

const PRUNE_EVERY_MS = 3_600_000;
/**
 * The worker replays the metrics topic from its start at every boot (for the latest window per
 * service); windows emitted this long before the newest one already stored are not inserted again.
 * The margin covers what a killed worker still had buffered.
 */
const REPLAY_MARGIN_MS = 5 * 60_000;

/**
 * The worker's SQL history: every decision (written by the record activity, so a failed write is
 * retried with the activity), every window read from the metrics topic and every aggregator
 * micro-batch read from the batches topic (both buffered and inserted in batches off the readers' path).
 */
@Injectable()
export class HistoryService implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'history';
  private readonly logger = new Logger('History');
  private store: HistoryStore | null = null;
  private windowRows: BufferedWriter<WindowMetric> | null = null;
  private batchRows: BufferedWriter<BatchMetric> | null = null;
  private readonly batchReader: JsonTopicReader<BatchMetric>;
  private pruner: NodeJS.Timeout | null = null;
  /** Windows emitted before this are already stored. */
  private windowsStoredUntil = -Infinity;

  constructor(
    @Inject(WORKER_CONFIG) private readonly config: WorkerConfig,
    @InjectKafka() kafka: Kafka,
  ) {
    // A durable group: every batch is stored once per history, whichever worker reads it.
    this.batchReader = new JsonTopicReader<BatchMetric>(kafka, TOPICS.batches, BatchMetricSchema, {
      groupPrefix: 'smartscale-history-batches',
      groupId: `smartscale-history-batches-${config.temporal.taskQueue}`,
      onRecord: (b) => this.batchRows?.push(b),
      onInvalid: (where, error) => this.logger.warn(`skipping invalid batch metric ${where}: ${error}`),
    });
  }

  async onModuleInit(): Promise<void> {
    let store: HistoryStore;
    try {
      store = await HistoryStore.open(this.config.history.url, this.config.root, {
        onMovedAside: (dir, movedTo, reason) =>
          this.logger.error(
            `history directory ${dir} could not be opened (${reason}): moved aside to ${movedTo}, starting an empty history`,
          ),
      });
    } catch (err) {
      throw new Error(
        `cannot open the history store (SMARTSCALE_HISTORY_URL=${redact(this.config.history.url)}): ${(err as Error).message}`,
      );
    }
    this.store = store;
    this.windowsStoredUntil = ((await store.latestWindowEmittedAt()) ?? -Infinity) - REPLAY_MARGIN_MS;
    const warn = (what: string) => (err: Error) => this.logger.warn(`${what} history insert failed, will retry: ${err.message}`);
    this.windowRows = new BufferedWriter((rows) => store.recordWindows(rows), warn('window'));
    this.batchRows = new BufferedWriter((rows) => store.recordBatches(rows), warn('batch'));
    this.logger.log(
      `history in ${redact(this.config.history.url)} (${store.sql.kind}), kept ${this.config.history.retentionMs / 3_600_000} h`,
    );
    this.pruner = setInterval(() => void this.prune(), PRUNE_EVERY_MS);
    this.pruner.unref();
    await this.prune();
  }

  onApplicationBootstrap(): Promise<void> {
    return this.batchReader.start();
  }

  async check(): Promise<boolean> {
    if (!this.store) return false;
    await this.store.sql.query('select 1');
    return true;
  }

  recordDecision(targetId: string, ref: WorkflowRef, decision: Decision): Promise<void> {
    return this.open().recordDecision(targetId, ref, decision);
  }

  /** Called for every window the worker reads; never blocks the reader. */
  takeWindow(window: WindowMetric): void {
    if (window.emittedAt < this.windowsStoredUntil) return;
    this.windowRows?.push(window);
  }

  get droppedRows(): number {
    return (this.windowRows?.dropped ?? 0) + (this.batchRows?.dropped ?? 0);
  }

  async decisions(targetId: string, range: TimeRange): Promise<StoredDecision[]> {
    return this.open().decisions(targetId, range);
  }

  async windows(service: string, range: TimeRange): Promise<WindowMetric[]> {
    await this.windowRows?.flush();
    return this.open().windows(service, range);
  }

  async batches(instance: string | null, range: TimeRange): Promise<BatchMetric[]> {
    await this.batchRows?.flush();
    return this.open().batches(instance, range);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.pruner) clearInterval(this.pruner);
    await this.batchReader.stop().catch(() => undefined);
    await Promise.all([this.windowRows?.close(), this.batchRows?.close()]);
    await this.store?.close();
    this.store = null;
  }

  private async prune(): Promise<void> {
    try {
      const gone = await this.open().prune(Date.now() - this.config.history.retentionMs);
      if (gone.decisions + gone.windows + gone.batches > 0) {
        this.logger.log(`pruned ${gone.decisions} decisions, ${gone.windows} windows and ${gone.batches} batches past retention`);
      }
    } catch (err) {
      this.logger.warn(`history prune failed: ${(err as Error).message}`);
    }
  }

  private open(): HistoryStore {
    if (!this.store) throw new Error('history store is not open');
    return this.store;
  }
}

/** Hides a password in a postgres:// URL for logs and errors. */
export function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
