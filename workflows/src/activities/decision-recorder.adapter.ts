import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Producer } from 'kafkajs';
import { Decision, TOPICS } from '@smartscale/contracts';
import { createIdempotentProducer, createKafka } from '@smartscale/kafka';
import { WORKER_CONFIG, WorkerConfig } from '../config/worker.config';

/** Appends every decision, hold included, to the decisions topic (key = target) for long-term history. */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger('Decisions');
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(@Inject(WORKER_CONFIG) config: WorkerConfig) {
    this.producer = createIdempotentProducer(createKafka(config.kafka));
  }

  async record(targetId: string, decision: Decision): Promise<void> {
    this.connected ??= this.producer.connect();
    await this.connected;
    await this.producer.send({ topic: TOPICS.decisions, acks: -1, messages: [{ key: targetId, value: JSON.stringify({ targetId, ...decision }) }] });
    this.logger.log(`${targetId} #${decision.seq} ${decision.action} ${decision.from}→${decision.to}: ${decision.reasons.map((r) => r.code).join(', ')}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
