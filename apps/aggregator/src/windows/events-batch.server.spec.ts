import { Controller, INestMicroservice, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload } from 'kafkajs';
import { EVENTS_BATCH_PATTERNS, EventsBatchContext, EventsBatchServer } from './events-batch.server';

const TOPIC = 'it.events';

/** The kafkajs consumer's surface the transport uses, recording what it was asked to do. */
function fakeConsumer(failConnect = false) {
  const calls: string[] = [];
  let onJoin: ((e: { payload: { memberAssignment: Record<string, number[]> } }) => void) | null = null;
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | null = null;
  const consumer = {
    events: { GROUP_JOIN: 'consumer.group_join' },
    connect: async () => {
      if (failConnect) throw new Error('broker down');
      calls.push('connect');
    },
    on: (event: string, listener: typeof onJoin) => {
      calls.push(`on ${event}`);
      onJoin = listener;
    },
    subscribe: async ({ topic }: { topic: string }) => void calls.push(`subscribe ${topic}`),
    run: async (o: { autoCommit: boolean; eachBatch: typeof eachBatch }) => {
      calls.push(`run autoCommit=${o.autoCommit}`);
      eachBatch = o.eachBatch;
    },
    pause: (t: unknown) => void calls.push(`pause ${JSON.stringify(t)}`),
    resume: (t: unknown) => void calls.push(`resume ${JSON.stringify(t)}`),
    seek: (t: unknown) => void calls.push(`seek ${JSON.stringify(t)}`),
    disconnect: async () => void calls.push('disconnect'),
  };
  return {
    consumer: consumer as unknown as Consumer,
    calls,
    join: (partitions: number[]) => onJoin!({ payload: { memberAssignment: { [TOPIC]: partitions } } }),
    batch: (p: unknown) => eachBatch!(p as EachBatchPayload),
  };
}

/** Stands for WindowsController: records its messages, and uses the flow control it is given. */
let seen: string[] = [];
/** Set by a test to hold the drain until it says so. */
let drainGate: Promise<void> | null = null;
let ticked: () => void = () => undefined;

@Controller()
class RecordingController {
  @EventPattern(EVENTS_BATCH_PATTERNS.assigned)
  assigned(@Payload() partitions: number[], @Ctx() ctx: EventsBatchContext): void {
    seen.push(`assigned ${partitions.join(',')}`);
    ctx.flow.resume([partitions[0]]);
  }

  @EventPattern(EVENTS_BATCH_PATTERNS.batch)
  async batch(@Payload() payload: { partition: number }, @Ctx() ctx: EventsBatchContext): Promise<void> {
    await Promise.resolve();
    ctx.flow.seek(payload.partition, '42');
    seen.push(`batch ${payload.partition}`);
  }

  @EventPattern(EVENTS_BATCH_PATTERNS.tick)
  tick(@Ctx() ctx: EventsBatchContext): void {
    if (!seen.includes('tick')) ctx.flow.pause([7]);
    seen.push('tick');
    ticked();
  }

  @EventPattern(EVENTS_BATCH_PATTERNS.drain)
  async drain(): Promise<void> {
    seen.push('drain');
    await drainGate;
  }
}

@Module({ controllers: [RecordingController] })
class RecordingModule {}

describe(EventsBatchServer.name, () => {
  let app: INestMicroservice | null = null;
  beforeEach(() => {
    seen = [];
    drainGate = null;
  });
  afterEach(async () => {
    await app?.close();
    app = null;
  });

  const start = async (failConnect = false): Promise<ReturnType<typeof fakeConsumer>> => {
    const fake = fakeConsumer(failConnect);
    app = await NestFactory.createMicroservice(RecordingModule, {
      strategy: new EventsBatchServer(fake.consumer, { topic: TOPIC, tickMs: 5 }),
      logger: false,
    });
    return fake;
  };

  it('starts consuming on listen and hands assignments, batches and ticks to the event handlers, with the flow control', async () => {
    const fake = await start();
    const firstTick = new Promise<void>((resolve) => (ticked = resolve));
    await app!.listen();
    expect(fake.calls).toEqual(['connect', 'on consumer.group_join', `subscribe ${TOPIC}`, 'run autoCommit=false']);
    fake.join([3, 5]);
    await fake.batch({ partition: 3 }); // kafkajs waits for the handler before the next batch
    expect(seen).toEqual(['assigned 3,5', 'batch 3']);
    await firstTick;
    expect(fake.calls.slice(4, 7)).toEqual([
      `resume [{"topic":"${TOPIC}","partitions":[3]}]`,
      `seek {"topic":"${TOPIC}","partition":3,"offset":"42"}`,
      `pause [{"topic":"${TOPIC}","partitions":[7]}]`,
    ]);
  });

  it('on close stops ticking, drains through the handlers, and only then leaves the group', async () => {
    const fake = await start();
    await app!.listen();
    let releaseDrain = (): void => undefined;
    drainGate = new Promise<void>((resolve) => (releaseDrain = resolve));
    const closing = app!.close();
    app = null;
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen.at(-1)).toBe('drain');
    expect(fake.calls).not.toContain('disconnect');
    releaseDrain();
    await closing;
    expect(fake.calls.at(-1)).toBe('disconnect');
    const ticks = seen.filter((s) => s === 'tick').length;
    await new Promise((resolve) => setTimeout(resolve, 20)); // several tick intervals: none may come
    expect(seen.filter((s) => s === 'tick').length).toBe(ticks);
  });

  it('fails listen when the consumer cannot connect', async () => {
    await start(true);
    await expect(app!.listen()).rejects.toThrow('broker down');
  });
});
