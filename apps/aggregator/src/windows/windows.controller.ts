import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { EachBatchPayload } from 'kafkajs';
import { EVENTS_BATCH_PATTERNS, EventsBatchContext } from './events-batch.server';
import { WindowsConsumer } from './windows.consumer';

/** The events transport's messages (EventsBatchServer), handed to the consumer with the partition flow control. */
@Controller()
export class WindowsController {
  constructor(private readonly consumer: WindowsConsumer) {}

  @EventPattern(EVENTS_BATCH_PATTERNS.assigned)
  assigned(@Payload() partitions: number[], @Ctx() ctx: EventsBatchContext): Promise<void> {
    return this.consumer.assigned(new Set(partitions), ctx.flow);
  }

  @EventPattern(EVENTS_BATCH_PATTERNS.batch)
  batch(@Payload() payload: EachBatchPayload, @Ctx() ctx: EventsBatchContext): Promise<void> {
    return this.consumer.batch(payload, ctx.flow);
  }

  @EventPattern(EVENTS_BATCH_PATTERNS.tick)
  tick(@Ctx() ctx: EventsBatchContext): Promise<void> {
    return this.consumer.tick(ctx.flow);
  }

  @EventPattern(EVENTS_BATCH_PATTERNS.drain)
  drain(@Ctx() ctx: EventsBatchContext): Promise<void> {
    return this.consumer.drain(ctx.flow);
  }
}
