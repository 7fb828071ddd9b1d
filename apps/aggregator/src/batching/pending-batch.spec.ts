import { BatchMetricSchema } from '@smartscale/contracts';
import { mergeStep, toBatchMetric } from './pending-batch';
import type { StepOutput } from '../windows/windows.service';

const out = (offset: string | null): StepOutput => ({
  partition: 4,
  metrics: [],
  deadLetters: [],
  late: 1,
  refused: 0,
  ahead: 0,
  servicesEvicted: 0,
  commit: offset === null ? null : { partition: 4, offset, metadata: 'w1:[1,2]' },
});
const stats = (records: number, lagBefore: number, lagAfter: number) => ({
  records,
  bytes: records * 100,
  fetchWaitMs: 2,
  processingMs: 3,
  lagBefore,
  lagAfter,
});

describe(mergeStep.name, () => {
  it('sums sizes and times, keeps the first lag before and the last lag after, and the latest commit', () => {
    let e = mergeStep(undefined, out('10'), stats(10, 500, 490), 1_000, 0);
    e = mergeStep(e, out('20'), stats(20, 700, 680), 1_050, 0);
    expect(e.since).toBe(1_000);
    expect(e.stats).toEqual({ records: 30, bytes: 3_000, fetchWaitMs: 4, processingMs: 6, lagBefore: 500, lagAfter: 680 });
    expect(e.out.commit?.offset).toBe('20');
    expect(e.out.late).toBe(2);
  });

  it("an idle tick's step adds no records and keeps the lag, and starts a batch at the partition's last lag", () => {
    const tick = mergeStep(undefined, out(null), null, 5, 42);
    expect(tick.stats).toEqual({ records: 0, bytes: 0, fetchWaitMs: 0, processingMs: 0, lagBefore: 42, lagAfter: 42 });
    const e = mergeStep(mergeStep(undefined, out('3'), stats(3, 9, 7), 0, 0), out(null), null, 1, 7);
    expect(e.stats.lagAfter).toBe(7);
    expect(e.out.commit?.offset).toBe('3');
  });
});

describe(toBatchMetric.name, () => {
  it('is a valid BatchMetric of the contract', () => {
    const e = mergeStep(undefined, out('10'), stats(10, 5, 0), 1_000, 0);
    const b = toBatchMetric(e, 'aggregator-1', { commitIntervalMs: 100, maxBatchRecords: 2_000, mode: 'adaptive' }, 1.23456, 1_120);
    expect(BatchMetricSchema.parse(b)).toEqual(b);
    expect(b).toMatchObject({ partitions: [4], records: 10, commitMs: 1.235, startedAt: 1_000, committedAt: 1_120 });
  });
});
