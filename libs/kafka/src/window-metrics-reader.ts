import { Consumer, Kafka } from 'kafkajs';
import type { ZodType } from 'zod';
import { TOPICS, WindowKind, windowKind, WindowMetric, WindowMetricSchema } from '@smartscale/contracts';
import { ensureTopics, withAdmin } from './kafka';

export interface TopicReaderOptions<T> {
  /** Prefix of the throwaway group; each start joins a fresh one so the whole topic is replayed. */
  groupPrefix: string;
  /** A durable group instead: a restart resumes where the last run committed. */
  groupId?: string;
  onRecord: (record: T) => Promise<void> | void;
  /** A message that fails its schema is skipped, after this is told where it was and why. */
  onInvalid: (where: string, error: string) => void;
}

/**
 * Replays a JSON topic from the beginning and follows it, parsing every message through its schema.
 * Used by every reader that rebuilds in-memory state or a store from a topic (predictor, controller).
 */
export class JsonTopicReader<T> {
  private readonly consumer: Consumer;
  private joinedGroup = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly schema: ZodType<unknown>,
    private readonly options: TopicReaderOptions<T>,
  ) {
    this.consumer = kafka.consumer({
      groupId: options.groupId ?? `${options.groupPrefix}-${Date.now()}`,
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
    });
  }

  get joined(): boolean {
    return this.joinedGroup;
  }

  async start(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joinedGroup = true));
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        const record = this.parse(message.value, `${this.topic}/${partition}@${message.offset}`);
        if (record) await this.options.onRecord(record);
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private parse(value: Buffer | null, where: string): T | null {
    let json: unknown;
    try {
      json = JSON.parse(value?.toString('utf8') ?? 'null');
    } catch (err) {
      this.options.onInvalid(where, `not JSON: ${(err as Error).message}`);
      return null;
    }
    const parsed = this.schema.safeParse(json);
    if (parsed.success) return parsed.data as T;
    this.options.onInvalid(
      where,
      parsed.error.issues
        .map((i) => `${i.path.join('.')} ${i.message}`)
        .join('; ')
        .slice(0, 200),
    );
    return null;
  }
}

export interface WindowMetricsReaderOptions {
  groupPrefix: string;
  /**
   * The kinds of window this reader takes; the others are skipped. Required, so that a new reader
   * says whether it wants the hopping windows beside one tumbling window per service and period.
   */
  kinds: readonly WindowKind[];
  onMetric: (metric: WindowMetric) => Promise<void> | void;
  onInvalid: (where: string, error: string) => void;
}

/** The metrics topic's windows of the kinds asked for, replayed and followed. */
export class WindowMetricsReader extends JsonTopicReader<WindowMetric> {
  constructor(kafka: Kafka, options: WindowMetricsReaderOptions) {
    super(kafka, TOPICS.metrics, WindowMetricSchema, {
      groupPrefix: options.groupPrefix,
      onRecord: onlyKinds(options.kinds, options.onMetric),
      onInvalid: options.onInvalid,
    });
  }
}

/** Passes on the windows of the given kinds (a record without a kind is tumbling). */
export function onlyKinds(
  kinds: readonly WindowKind[],
  onMetric: (metric: WindowMetric) => Promise<void> | void,
): (metric: WindowMetric) => Promise<void> | void {
  return (metric) => (kinds.includes(windowKind(metric)) ? onMetric(metric) : undefined);
}
