import { EVENT_LIMITS } from '@smartscale/contracts';
import { loadAggregatorConfig } from './aggregator.config';

describe(loadAggregatorConfig.name, () => {
  it('defaults to adaptive batching from a 100 ms commit interval, recording every batch', () => {
    const { batching, topics } = loadAggregatorConfig({});
    expect(batching).toMatchObject({ mode: 'adaptive', initial: { commitIntervalMs: 100, maxBatchRecords: 2_000 }, record: true });
    expect(batching.pacer).toMatchObject({ minIntervalMs: 20, maxIntervalMs: 1_000, targetLatencyMs: 500 });
    expect(topics.batches).toBe('smartscale.batches.v1');
  });

  it('keeps fixed settings as given, and brings an adaptive start inside its bounds', () => {
    const env = { SMARTSCALE_COMMIT_INTERVAL_MS: '5', SMARTSCALE_BATCH_RECORDS: '50' };
    expect(loadAggregatorConfig({ ...env, SMARTSCALE_BATCH_MODE: 'fixed' }).batching.initial).toEqual({
      commitIntervalMs: 5,
      maxBatchRecords: 50,
    });
    expect(loadAggregatorConfig(env).batching.initial).toEqual({ commitIntervalMs: 20, maxBatchRecords: 200 });
  });

  it('fails on a bad mode and on a minimum above its maximum', () => {
    expect(() => loadAggregatorConfig({ SMARTSCALE_BATCH_MODE: 'auto' })).toThrow(/SMARTSCALE_BATCH_MODE/);
    expect(() => loadAggregatorConfig({ SMARTSCALE_BATCH_MIN_INTERVAL_MS: '2000' })).toThrow(/minimum is above its maximum/);
  });

  it('emits 60 s hopping windows advancing 10 s by default, and none with a size of 0', () => {
    expect(loadAggregatorConfig({}).windows.hopping).toEqual({ sizeMs: 60_000, advanceMs: 10_000 });
    expect(loadAggregatorConfig({ SMARTSCALE_HOPPING_WINDOW_MS: '0' }).windows.hopping).toBeNull();
    expect(
      loadAggregatorConfig({ SMARTSCALE_WINDOW_MS: '1000', SMARTSCALE_HOPPING_WINDOW_MS: '6000', SMARTSCALE_HOPPING_ADVANCE_MS: '2000' })
        .windows.hopping,
    ).toEqual({ sizeMs: 6_000, advanceMs: 2_000 });
  });

  it('fails on hopping windows that are not whole runs of tumbling windows, naming each variable', () => {
    expect(() => loadAggregatorConfig({ SMARTSCALE_WINDOW_MS: '3000' })).toThrow(
      /SMARTSCALE_HOPPING_ADVANCE_MS: 10000 is not a multiple of SMARTSCALE_WINDOW_MS/,
    );
    expect(() => loadAggregatorConfig({ SMARTSCALE_HOPPING_WINDOW_MS: '45000' })).toThrow(
      /SMARTSCALE_HOPPING_WINDOW_MS: 45000 is not a multiple/,
    );
  });

  it('bounds event time by the contracts limit by default, and refuses a stream-time lead beyond the grace period', () => {
    expect(loadAggregatorConfig({}).windows.clock).toEqual({ maxStreamLeadMs: 0, maxFutureMs: EVENT_LIMITS.maxFutureSkewMs });
    expect(
      loadAggregatorConfig({ SMARTSCALE_AGGREGATOR_MAX_FUTURE_MS: '30000', SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS: '2000' }).windows
        .clock,
    ).toEqual({ maxStreamLeadMs: 2_000, maxFutureMs: 30_000 });
    expect(() => loadAggregatorConfig({ SMARTSCALE_AGGREGATOR_MAX_STREAM_LEAD_MS: '2001' })).toThrow(
      /MAX_STREAM_LEAD_MS: 2001 is above SMARTSCALE_GRACE_MS \(2000\)/,
    );
  });
});
