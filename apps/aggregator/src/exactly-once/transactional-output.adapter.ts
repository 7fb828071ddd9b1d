import { InjectionToken, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Kafka, Producer } from 'kafkajs';
import type { StepOutput } from '../windows/windows.service';

export interface OutputTopics {
  events: string;
  metrics: string;
  deadLetter: string;
}

/** The committed position of one partition: where to replay from, and the checkpoint stored with it. */
export interface CommittedPosition {
  offset: string | null;
  metadata: string | null;
}

/** What the windows consumer needs of the output; TransactionalOutput in production, a fake in its spec. */
export interface ExactlyOnceOutput {
  /** Takes the partition's output over (fencing any previous owner), then reads where to replay from. */
  claim(partition: number, readCommitted: () => Promise<CommittedPosition>): Promise<CommittedPosition>;
  owns(partition: number): boolean;
  /** Throws when the transaction aborted (see isFenced); false when there was nothing to commit. */
  commit(out: StepOutput): Promise<boolean>;
  release(partition: number): Promise<void>;
  close(): Promise<void>;
}
export const EXACTLY_ONCE_OUTPUT: InjectionToken<ExactlyOnceOutput> = Symbol('EXACTLY_ONCE_OUTPUT');

/**
 * Commits one partition's step atomically: closed windows, dead letters and the consumed offset (with
 * the window checkpoint as offset metadata) in one Kafka transaction.
 *
 * One transactional producer per input partition, with a transactionalId derived from the group, the
 * topic and the partition (Kafka Streams' "EOS alpha"): whoever is assigned partition p next
 * initialises the same transactionalId, which aborts a transaction a crashed or revoked owner left
 * open and fences that owner (a zombie) from ever committing again for p. kafkajs sends offsets
 * without the consumer's generation (no KIP-447 fencing), so a per-instance id would not fence.
 */
export class TransactionalOutput implements ExactlyOnceOutput, OnApplicationShutdown {
  private readonly logger = new Logger(TransactionalOutput.name);
  private readonly producers = new Map<number, Producer>();

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: OutputTopics,
    private readonly groupId: string,
  ) {}

  /**
   * Takes ownership of a partition's output: fences any previous owner, then reads the committed
   * position. Reading after fencing matters: a zombie may have committed after the consumer fetched
   * its start offset, and nothing it commits later can count.
   */
  async claim(partition: number, readCommitted: () => Promise<CommittedPosition>): Promise<CommittedPosition> {
    await this.release(partition);
    const producer = this.kafka.producer({
      transactionalId: `${this.groupId}.${this.topics.events}.${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      transactionTimeout: 30_000,
    });
    await producer.connect();
    // An empty transaction runs InitProducerId: the epoch bump is the fence.
    const fence = await producer.transaction();
    await fence.abort();
    this.producers.set(partition, producer);
    return readCommitted();
  }

  owns(partition: number): boolean {
    return this.producers.has(partition);
  }

  /**
   * One transaction: windows and dead letters, then the offset with its checkpoint. Aborts on any error.
   * False when there was nothing to commit (no transaction ran).
   */
  async commit(out: StepOutput): Promise<boolean> {
    if (out.metrics.length === 0 && out.deadLetters.length === 0 && out.commit === null) return false;
    const producer = this.producers.get(out.partition);
    if (!producer) throw new Error(`partition ${out.partition} not claimed`);
    const txn = await producer.transaction();
    try {
      if (out.deadLetters.length > 0) {
        await txn.send({
          topic: this.topics.deadLetter,
          // One bad event of a packed record is sent alone, with its index: the others were aggregated.
          messages: out.deadLetters.map(({ record, error, item }) => ({
            key: record.key,
            value: item ? item.value : record.value,
            headers: { error, source: `${this.topics.events}/${record.partition}/${record.offset}${item ? `#${item.index}` : ''}` },
          })),
        });
      }
      if (out.metrics.length > 0) {
        await txn.send({ topic: this.topics.metrics, messages: out.metrics.map((m) => ({ key: m.service, value: JSON.stringify(m) })) });
      }
      if (out.commit) {
        // kafkajs encodes per-partition metadata in TxnOffsetCommit but leaves it out of its types.
        const partitions: { partition: number; offset: string; metadata: string }[] = [out.commit];
        await retryConcurrent(() =>
          txn.sendOffsets({ consumerGroupId: this.groupId, topics: [{ topic: this.topics.events, partitions }] }),
        );
      }
      await txn.commit();
      return true;
    } catch (err) {
      await txn
        .abort()
        .catch((abortErr: unknown) => this.logger.warn(`abort failed on partition ${out.partition}: ${(abortErr as Error).message}`));
      throw err;
    }
  }

  async release(partition: number): Promise<void> {
    const producer = this.producers.get(partition);
    this.producers.delete(partition);
    await producer?.disconnect();
  }

  async close(): Promise<void> {
    for (const p of [...this.producers.keys()]) await this.release(p);
  }

  /** After the transport has drained and left the group (Nest closes transports before this hook). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

/** kafkajs reports a fenced transactional producer as INVALID_PRODUCER_EPOCH or PRODUCER_FENCED. */
export function isFenced(err: unknown): boolean {
  const type = (err as { type?: string }).type ?? '';
  return type === 'INVALID_PRODUCER_EPOCH' || type === 'PRODUCER_FENCED' || /fenced|producer epoch/i.test(String((err as Error).message));
}

/**
 * Retries an operation that the transaction coordinator refused with CONCURRENT_TRANSACTIONS: it
 * answers that while the previous transaction's markers are still being written, which short commit
 * intervals under load make likely. The Java client retries it; kafkajs does for AddPartitionsToTxn
 * (in its send retrier) but not for AddOffsetsToTxn, so one refusal aborted the step and replayed the
 * partition. Nothing was written when it is refused, so trying again is safe.
 */
export async function retryConcurrent<T>(op: () => Promise<T>, attempts = 7, firstDelayMs = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if ((err as { type?: string }).type !== 'CONCURRENT_TRANSACTIONS' || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, firstDelayMs * 2 ** (attempt - 1)));
    }
  }
}
