import { Consumer, Kafka } from 'kafkajs';
import { TOPICS, WindowMetric, WindowMetricSchema } from '@smartscale/contracts';
import { ensureTopics, withAdmin } from './kafka';

export interface WindowMetricsReaderOptions {
  /** Prefix of the throwaway group; each start joins a fresh one so the whole topic is replayed. */
  groupPrefix: string;
  onMetric: (metric: WindowMetric) => Promise<void> | void;
  /** A message that fails its schema is skipped, after this is told where it was and why. */
  onInvalid: (where: string, error: string) => void;
}

/**
 * Replays the metrics topic from the beginning and follows it, parsing every message through its
 * schema. Used by every reader that rebuilds in-memory state from windows (predictor, controller).
 */
export class WindowMetricsReader {
  private readonly consumer: Consumer;
  private joinedGroup = false;

  constructor(
    private readonly kafka: Kafka,
    private readonly options: WindowMetricsReaderOptions,
  ) {
    this.consumer = kafka.consumer({ groupId: `${options.groupPrefix}-${Date.now()}`, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
  }

  get joined(): boolean {
    return this.joinedGroup;
  }

  async start(): Promise<void> {
    await withAdmin(this.kafka, (admin) => ensureTopics(admin));
    await this.consumer.connect();
    this.consumer.on(this.consumer.events.GROUP_JOIN, () => (this.joinedGroup = true));
    await this.consumer.subscribe({ topic: TOPICS.metrics, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ partition, message }) => {
        const metric = this.parse(message.value, `${TOPICS.metrics}/${partition}@${message.offset}`);
        if (metric) await this.options.onMetric(metric);
      },
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }

  private parse(value: Buffer | null, where: string): WindowMetric | null {
    let json: unknown;
    try {
      json = JSON.parse(value?.toString('utf8') ?? 'null');
    } catch (err) {
      this.options.onInvalid(where, `not JSON: ${(err as Error).message}`);
      return null;
    }
    const parsed = WindowMetricSchema.safeParse(json);
    if (parsed.success) return parsed.data as WindowMetric;
    this.options.onInvalid(where, parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ').slice(0, 200));
    return null;
  }
}
