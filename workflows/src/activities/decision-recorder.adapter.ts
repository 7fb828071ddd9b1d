import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Context } from '@temporalio/activity';
import { Kafka, Producer } from 'kafkajs';
import { Decision, TOPICS } from '@smartscale/contracts';
import { createIdempotentProducer, InjectKafka } from '@smartscale/kafka';
import { HistoryService } from '../history/history.service';

/**
 * Writes every decision, hold included, to the SQL history (queryable by target and time) and to the
 * decisions topic (key = target) for anything downstream. Both writes are safe to retry.
 */
@Injectable()
export class DecisionRecorder implements OnApplicationShutdown {
  private readonly logger = new Logger('Decisions');
  private readonly producer: Producer;
  private connected: Promise<void> | null = null;

  constructor(
    @InjectKafka() kafka: Kafka,
    private readonly history: HistoryService,
  ) {
    this.producer = createIdempotentProducer(kafka);
  }

  async record(targetId: string, decision: Decision): Promise<void> {
    await this.history.recordDecision(targetId, workflowRef(), decision);
    this.connected ??= this.producer.connect();
    await this.connected;
    await this.producer.send({
      topic: TOPICS.decisions,
      acks: -1,
      messages: [{ key: targetId, value: JSON.stringify({ targetId, ...decision }) }],
    });
    this.logger.log(
      `${targetId} #${decision.seq} ${decision.action} ${decision.from}→${decision.to}: ${decision.reasons.map((r) => r.code).join(', ')}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** The workflow run that made the decision, from the record activity's context. */
function workflowRef(): { workflowId: string; runId: string } {
  const execution = Context.current().info.workflowExecution;
  if (!execution) throw new Error('record must run as an activity of a controller workflow');
  return { workflowId: execution.workflowId, runId: execution.runId };
}
