import { Logger } from '@nestjs/common';
import type { BatchMetric } from '@smartscale/contracts';
import type { EachBatchPayload, KafkaMessage } from 'kafkajs';
import { Registry } from 'prom-client';
import { metricSample as value } from '@smartscale/testing';
import { decodeCheckpoint } from '@smartscale/windowing';
import { BatchMetricsPublisher } from '../batching/batch-metrics.adapter';
import { BatchTuner } from '../batching/batch-tuner';
import type { AggregatorConfig } from '../config/aggregator.config';
import { SPEC_PACER, SPEC_WINDOWS } from '../../../../test/support/aggregator-spec-settings';
import type { CommittedPositions } from '../exactly-once/committed-position.adapter';
import type { CommittedPosition, ExactlyOnceOutput } from '../exactly-once/transactional-output.adapter';
import { AggregatorMetrics } from '../metrics/aggregator-metrics';
import type { PartitionFlow } from './events-batch.server';
import { WindowsConsumer } from './windows.consumer';
import { StepOutput, WindowsService } from './windows.service';

// The consumer driven through fakes of its collaborators (the output's transactions, the group's
// committed positions, the partition flow control, the wall clock); the windows themselves are the
// real pure pipeline, so that a batch in gives the windows a real run would emit.

const T0 = 1_700_000_000_000;
/** The processing clock: an hour after the events, as when a backlog is read. */
const WALL = T0 + 3_600_000;
const P = 2;

const baseConfig = {
  kafka: { brokers: ['127.0.0.1:1'], clientId: 'spec-aggregator', groupId: 'spec-group', security: { tls: null, sasl: null } },
  topics: { events: 'spec.events', metrics: 'spec.metrics', deadLetter: 'spec.dead', batches: 'spec.batches' },
  windows: { ...SPEC_WINDOWS, hopping: null },
  batching: {
    mode: 'fixed',
    initial: { commitIntervalMs: 0, maxBatchRecords: 1_000 },
    pacer: SPEC_PACER,
    record: true,
  },
  http: null,
} as AggregatorConfig;

interface Change {
  windows?: Partial<AggregatorConfig['windows']>;
  commitIntervalMs?: number;
  maxBatchRecords?: number;
}

const withConfig = ({ windows, commitIntervalMs, maxBatchRecords }: Change): AggregatorConfig => ({
  ...baseConfig,
  windows: { ...baseConfig.windows, ...windows },
  batching: {
    ...baseConfig.batching,
    initial: {
      commitIntervalMs: commitIntervalMs ?? baseConfig.batching.initial.commitIntervalMs,
      maxBatchRecords: maxBatchRecords ?? baseConfig.batching.initial.maxBatchRecords,
    },
  },
});

/** The transactions, as the broker would see them: claims (fences), committed steps, and scripted failures. */
class FakeOutput implements ExactlyOnceOutput {
  readonly claims: number[] = [];
  readonly committed: StepOutput[] = [];
  readonly owned = new Set<number>();
  closes = 0;
  /** Thrown by the next commit (then cleared): an aborted transaction. */
  failNext: unknown = null;

  async claim(partition: number, readCommitted: () => Promise<CommittedPosition>): Promise<CommittedPosition> {
    this.claims.push(partition);
    this.owned.add(partition);
    return readCommitted();
  }

  owns(partition: number): boolean {
    return this.owned.has(partition);
  }

  async commit(out: StepOutput): Promise<boolean> {
    if (this.failNext) {
      const err = this.failNext;
      this.failNext = null;
      throw err;
    }
    if (out.metrics.length === 0 && out.deadLetters.length === 0 && out.commit === null) return false;
    this.committed.push(structuredClone(out));
    return true;
  }

  async release(partition: number): Promise<void> {
    this.owned.delete(partition);
  }

  async close(): Promise<void> {
    this.closes++;
    this.owned.clear();
  }
}

/** The group's committed offsets: what the last commit stored, as a restart would read it. */
class FakePositions implements CommittedPositions {
  readonly positions = new Map<number, CommittedPosition>();
  reads = 0;

  async read(partition: number): Promise<CommittedPosition> {
    this.reads++;
    return this.positions.get(partition) ?? { offset: null, metadata: null };
  }

  /** Stores the committed steps' last position (as a restart after them finds it). */
  from(output: FakeOutput): this {
    for (const out of output.committed)
      if (out.commit) this.positions.set(out.partition, { offset: out.commit.offset, metadata: out.commit.metadata });
    return this;
  }
}

class FakeFlow implements PartitionFlow {
  readonly paused: number[][] = [];
  readonly resumed: number[][] = [];
  readonly seeks: [number, string][] = [];
  pause(partitions: number[]): void {
    this.paused.push(partitions);
  }
  resume(partitions: number[]): void {
    this.resumed.push(partitions);
  }
  seek(partition: number, offset: string): void {
    this.seeks.push([partition, offset]);
  }
}

const json = (offset: number, value: unknown): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from('checkout'), value: Buffer.from(JSON.stringify(value)) }) as KafkaMessage;
const event = (offset: number, time: number, service = 'checkout'): KafkaMessage =>
  json(offset, { v: 1, id: `e${offset}`, service, type: 'request', time });

interface FakeBatch {
  payload: EachBatchPayload;
  resolved: string[];
  heartbeats: number;
}

/** One fetched batch of partition P, as kafkajs hands it to eachBatch (the high watermark just past the last message unless given). */
function fetched(messages: KafkaMessage[], highWatermark?: string): FakeBatch {
  const last = messages.at(-1)?.offset ?? '0';
  const fake: FakeBatch = { payload: undefined as unknown as EachBatchPayload, resolved: [], heartbeats: 0 };
  fake.payload = {
    batch: { partition: P, messages, highWatermark: highWatermark ?? String(Number(last) + 1), lastOffset: () => last },
    resolveOffset: (offset: string) => void fake.resolved.push(offset),
    heartbeat: async () => void fake.heartbeats++,
    isStale: () => false,
  } as unknown as EachBatchPayload;
  return fake;
}

interface Rig {
  consumer: WindowsConsumer;
  output: FakeOutput;
  positions: FakePositions;
  flow: FakeFlow;
  registry: Registry;
  records: BatchMetric[];
  windows: WindowsService;
  clock: { now: number };
}

function rig(change: Change = {}, positions = new FakePositions()): Rig {
  const config = withConfig(change);
  const registry = new Registry();
  const metrics = new AggregatorMetrics(registry);
  const output = new FakeOutput();
  const records: BatchMetric[] = [];
  const publisher = new BatchMetricsPublisher(
    { send: async (r) => void records.push(...r), close: async () => undefined },
    () => undefined,
  );
  const clock = { now: WALL };
  const windows = new WindowsService(config);
  const consumer = new WindowsConsumer(
    config,
    windows,
    metrics,
    output,
    positions,
    new BatchTuner(config.batching, metrics),
    publisher,
    () => clock.now,
  );
  return { consumer, output, positions, flow: new FakeFlow(), registry, records, windows, clock };
}

const emitted = (outs: StepOutput[]): [number, number][] =>
  outs.flatMap((o) => o.metrics.map((m): [number, number] => [(m.windowStart - T0) / 1000, m.count]));

describe(WindowsConsumer.name, () => {
  beforeAll(() => Logger.overrideLogger(false));

  it('claims a partition before its first batch, and commits its closed windows with the offset of the oldest open window in the same transaction', async () => {
    const { consumer, output, positions, flow } = rig();
    await consumer.assigned(new Set([P]), flow);
    const b = fetched([event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500)]);
    await consumer.batch(b.payload, flow);
    expect(output.claims).toEqual([P]);
    expect(positions.reads).toBe(1);
    expect(output.committed).toHaveLength(1);
    const [txn] = output.committed;
    expect(emitted([txn])).toEqual([[0, 1]]);
    expect(txn.commit?.offset).toBe('1'); // the window from 10 s is still open: a restart replays from its first record
    expect(decodeCheckpoint(txn.commit?.metadata)).toEqual({
      streamTime: T0 + 12_500,
      closedBefore: T0 + 10_000,
      position: '3',
      eventsPerRecord: 1,
    });
    expect(b.resolved).toEqual(['2']);
    expect(flow.seeks).toEqual([]);
  });

  it('resumes from the committed checkpoint: skips records below the committed offset and does not emit the windows emitted before', async () => {
    const first = rig();
    await first.consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500)]).payload, first.flow);
    // A restart: a new member reads the committed position (offset 1 with the checkpoint).
    const next = rig({}, new FakePositions().from(first.output));
    await next.consumer.assigned(new Set([P]), next.flow);
    // A fetch that starts before the committed offset (record 0 belongs to the window already emitted).
    await next.consumer.batch(
      fetched([event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500), event(3, T0 + 23_000)]).payload,
      next.flow,
    );
    expect(emitted(next.output.committed)).toEqual([[10, 2]]);
    expect(next.output.committed.reduce((n, o) => n + o.late, 0)).toBe(0); // record 0 was skipped, not counted late
    expect(next.output.committed.at(-1)?.commit?.offset).toBe('3');
  });

  it('counts late events and events ahead of the clock, and dead-letters an event dated beyond the future bound in the same transaction', async () => {
    const { consumer, output, flow, registry, clock } = rig();
    clock.now = T0 + 12_600;
    const ahead = { v: 1, id: 'ahead', service: 'checkout', type: 'request', time: clock.now + 60_000 };
    const far = { v: 1, id: 'far', service: 'checkout', type: 'request', time: clock.now + 600_000 };
    await consumer.batch(
      fetched([event(0, T0 + 1_000), event(1, T0 + 12_500), event(2, T0 + 500), json(3, ahead), json(4, far)]).payload,
      flow,
    );
    const [txn] = output.committed;
    expect([txn.late, txn.ahead, txn.refused]).toEqual([1, 1, 1]);
    expect(txn.deadLetters.map((d) => d.record.offset)).toEqual(['4']);
    expect(emitted([txn])).toEqual([[0, 1]]);
    expect(await value(registry, 'smartscale_aggregator_late_events_total')).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_ahead_events_total')).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_refused_events_total')).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_dead_letters_total')).toBe(1);
  });

  it('on a tick closes the last window of a partition idle for partitionIdleMs, and commits the services it evicted', async () => {
    const { consumer, output, flow, clock, windows } = rig({ windows: { partitionIdleMs: 5_000, serviceIdleMs: 10_000 } });
    await consumer.batch(fetched([event(0, T0 + 1_000)]).payload, flow);
    expect(emitted(output.committed)).toEqual([]);
    await consumer.tick(flow);
    expect(emitted(output.committed)).toEqual([]); // not idle yet
    clock.now += 30_000;
    await consumer.tick(flow);
    // Stream time follows the clock: the window from 0 s closes, then zero windows until the service is idle for 10 s.
    expect(emitted(output.committed)).toEqual([
      [0, 1],
      [10, 0],
    ]);
    expect(output.committed.reduce((n, o) => n + o.servicesEvicted, 0)).toBe(1);
    expect(windows.serviceCount()).toBe(0);
  });

  it('merges the steps of a partition into one transaction per commit interval', async () => {
    const { consumer, output, flow, clock, records } = rig({ commitIntervalMs: 100 });
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)]).payload, flow);
    await consumer.batch(fetched([event(2, T0 + 13_000), event(3, T0 + 25_000)]).payload, flow);
    expect(output.committed).toEqual([]);
    clock.now += 99;
    await consumer.tick(flow);
    expect(output.committed).toEqual([]);
    clock.now += 1;
    await consumer.tick(flow);
    expect(output.committed).toHaveLength(1);
    expect(emitted(output.committed)).toEqual([
      [0, 1],
      [10, 2],
    ]);
    expect(output.committed[0].commit?.offset).toBe('3');
    await consumer.drain(flow); // nothing left: no second transaction
    expect(output.committed).toHaveLength(1);
    expect(records).toEqual([]); // recorded on the publisher's timer, off the hot path
  });

  it('hands a big batch to the windows in steps of maxBatchRecords, heartbeating between them', async () => {
    const { consumer, output, flow } = rig({ maxBatchRecords: 2 });
    const b = fetched([0, 1, 2, 3, 4].map((i) => event(i, T0 + 1_000 + i * 6_000)));
    await consumer.batch(b.payload, flow);
    // Events every 6 s: each step of two records closes the window before it, and commits from the oldest open one.
    expect(output.committed.map((o) => o.commit?.offset)).toEqual(['0', '2', '4']);
    expect(emitted(output.committed)).toEqual([
      [0, 2],
      [10, 2],
    ]);
    expect(b.heartbeats).toBe(3); // between the three steps, and at the end
    expect(b.resolved).toEqual(['4']);
  });

  it('drain commits every pending step before the transport leaves the group', async () => {
    const { consumer, output, flow } = rig({ commitIntervalMs: 60_000 });
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)]).payload, flow);
    expect(output.committed).toEqual([]);
    await consumer.drain(flow);
    expect(emitted(output.committed)).toEqual([[0, 1]]);
  });

  it('after an aborted transaction claims the partition again and seeks back to the committed offset', async () => {
    const { consumer, output, positions, flow, registry } = rig();
    positions.positions.set(P, { offset: '7', metadata: null });
    output.failNext = new Error('coordinator went away');
    await consumer.batch(fetched([event(7, T0 + 1_000), event(8, T0 + 12_500)]).payload, flow);
    expect(output.committed).toEqual([]);
    expect(output.owns(P)).toBe(false);
    expect(await value(registry, 'smartscale_aggregator_transactions_aborted_total')).toBe(1);
    const after = fetched([event(9, T0 + 13_000)]);
    await consumer.batch(after.payload, flow);
    expect(output.claims).toEqual([P, P]);
    expect(flow.seeks).toEqual([[P, '7']]);
    expect(after.resolved).toEqual([]); // nothing of it handled: the replay from 7 brings it again
    await consumer.batch(fetched([event(7, T0 + 1_000), event(8, T0 + 12_500), event(9, T0 + 13_000)]).payload, flow);
    expect(emitted(output.committed)).toEqual([[0, 1]]);
  });

  it('pauses a partition whose producer was fenced, ignores its batches, and resumes it at the next assignment that keeps it', async () => {
    const { consumer, output, flow } = rig();
    await consumer.assigned(new Set([P, 3]), flow);
    output.failNext = Object.assign(new Error('fenced'), { type: 'PRODUCER_FENCED' });
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)]).payload, flow);
    expect(flow.paused).toEqual([[P]]);
    await consumer.batch(fetched([event(2, T0 + 13_000)]).payload, flow);
    expect(output.claims).toEqual([P]); // not claimed again while fenced
    expect(flow.seeks).toEqual([]);
    await consumer.assigned(new Set([3]), flow);
    expect(flow.resumed).toEqual([]); // no longer ours
    await consumer.batch(fetched([event(0, T0 + 1_000)]).payload, flow);
    output.failNext = Object.assign(new Error('fenced'), { type: 'INVALID_PRODUCER_EPOCH' });
    await consumer.tick(flow);
    await consumer.batch(fetched([event(1, T0 + 12_500)]).payload, flow);
    expect(flow.paused).toEqual([[P], [P]]);
    await consumer.assigned(new Set([P]), flow);
    expect(flow.resumed).toEqual([[P]]);
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)]).payload, flow);
    expect(emitted(output.committed)).toEqual([[0, 1]]);
  });

  it('a rebalance drops the steps not yet committed and every partition state: the next batch claims again from the committed position', async () => {
    const { consumer, output, flow } = rig({ commitIntervalMs: 60_000 });
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)]).payload, flow);
    const closesBefore = output.closes;
    await consumer.assigned(new Set([P]), flow);
    expect(output.closes).toBe(closesBefore + 1); // the producers of the old generation are released
    await consumer.drain(flow);
    expect(output.committed).toEqual([]); // never committed from an old generation
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)]).payload, flow);
    expect(output.claims).toEqual([P, P]);
    await consumer.drain(flow);
    expect(emitted(output.committed)).toEqual([[0, 1]]);
  });

  it('records each committed batch with the settings it ran under', async () => {
    const { consumer, flow, registry } = rig();
    await consumer.batch(fetched([event(0, T0 + 1_000), event(1, T0 + 12_500)], '5').payload, flow);
    expect(await value(registry, 'smartscale_aggregator_batch_records_count')).toBe(1);
    expect(await value(registry, 'smartscale_aggregator_batch_records_sum')).toBe(2);
  });
});
