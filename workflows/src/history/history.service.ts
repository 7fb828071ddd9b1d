import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Decision, WindowMetric } from '@smartscale/contracts';
import type { ReadinessCheck } from '@smartscale/ops';
import { HistoryStore, StoredDecision, TimeRange, WorkflowRef } from '@smartscale/store';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/** Windows wait at most this long, or until this many are buffered, before one batched insert. */
const FLUSH_EVERY_MS = 1_000;
const FLUSH_AT = 500;
/** If the database falls behind, the oldest buffered windows are dropped (and counted), never the process. */
const BUFFER_CAP = 20_000;
const PRUNE_EVERY_MS = 3_600_000;

/**
 * The worker's SQL history: every decision (written by the record activity, so a failed write is
 * retried with the activity) and every window read from the metrics topic (buffered and inserted
 * in batches off the consumer's path).
 */
@Injectable()
export class HistoryService implements OnModuleInit, OnApplicationShutdown, ReadinessCheck {
  readonly name = 'history';
  private readonly logger = new Logger('History');
  private store: HistoryStore | null = null;
  private buffer: WindowMetric[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private timers: NodeJS.Timeout[] = [];
  droppedWindows = 0;

  constructor(@Inject(WORKER_CONFIG) private readonly config: WorkerConfig) {}

  async onModuleInit(): Promise<void> {
    try {
      this.store = await HistoryStore.open(this.config.history.url, this.config.root);
    } catch (err) {
      throw new Error(`cannot open the history store (SMARTSCALE_HISTORY_URL=${redact(this.config.history.url)}): ${(err as Error).message}`);
    }
    this.logger.log(`history in ${redact(this.config.history.url)} (${this.store.sql.kind}), kept ${this.config.history.retentionMs / 3_600_000} h`);
    this.timers = [setInterval(() => this.flushSoon(), FLUSH_EVERY_MS), setInterval(() => void this.prune(), PRUNE_EVERY_MS)];
    this.timers.forEach((t) => t.unref());
    await this.prune();
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
    this.buffer.push(window);
    if (this.buffer.length > BUFFER_CAP) {
      this.droppedWindows += this.buffer.length - BUFFER_CAP;
      this.buffer.splice(0, this.buffer.length - BUFFER_CAP);
    }
    if (this.buffer.length >= FLUSH_AT) this.flushSoon();
  }

  async decisions(targetId: string, range: TimeRange): Promise<StoredDecision[]> {
    await this.flushing;
    return this.open().decisions(targetId, range);
  }

  async windows(service: string, range: TimeRange): Promise<WindowMetric[]> {
    this.flushSoon();
    await this.flushing;
    return this.open().windows(service, range);
  }

  async onApplicationShutdown(): Promise<void> {
    this.timers.forEach((t) => clearInterval(t));
    this.flushSoon();
    await this.flushing;
    await this.store?.close();
    this.store = null;
  }

  /** One insert at a time; a failed batch goes back to the front of the buffer for the next flush. */
  private flushSoon(): void {
    this.flushing = this.flushing.then(async () => {
      if (!this.store || this.buffer.length === 0) return;
      const batch = this.buffer;
      this.buffer = [];
      try {
        await this.store.recordWindows(batch);
      } catch (err) {
        this.logger.warn(`window history insert failed, will retry: ${(err as Error).message}`);
        this.buffer = [...batch, ...this.buffer];
      }
    });
  }

  private async prune(): Promise<void> {
    try {
      const gone = await this.open().prune(Date.now() - this.config.history.retentionMs);
      if (gone.decisions + gone.windows > 0) this.logger.log(`pruned ${gone.decisions} decisions and ${gone.windows} windows past retention`);
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
