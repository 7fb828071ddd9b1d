import { decodeCheckpoint } from '@smartscale/windowing';
import type { AggregatorConfig } from '../config/aggregator.config';
import { InboundRecord, WindowsService } from './windows.service';

const T0 = 1_700_000_000_000;
const config = { windows: { sizeMs: 10_000, graceMs: 2_000, partitionIdleMs: 600_000, serviceIdleMs: 600_000 } } as AggregatorConfig;
const record = (offset: number, value: unknown): InboundRecord => ({ partition: 2, offset: String(offset), key: 'checkout', value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)) });
const event = (offset: number, time: number): InboundRecord => record(offset, { v: 1, id: `e${offset}`, service: 'checkout', type: 'request', time });

describe(WindowsService.name, () => {
  it('commits the oldest open window with the checkpoint of the windows emitted in the same step', () => {
    const s = new WindowsService(config);
    const out = s.ingest(2, [event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500)], '3', 0);
    expect(out.metrics.map((m) => [m.windowStart, m.count])).toEqual([[T0, 1]]);
    expect(out.commit?.offset).toBe('1');
    expect(decodeCheckpoint(out.commit?.metadata)).toEqual({ streamTime: T0 + 12_500, closedBefore: T0 + 10_000, position: '3' });
  });

  it('moves the offset past a dead letter, so that a replay does not send it twice', () => {
    const s = new WindowsService(config);
    const out = s.ingest(2, [record(5, 'not json')], '6', 0);
    expect(out.deadLetters.map((d) => d.record.offset)).toEqual(['5']);
    expect(out.commit?.offset).toBe('6');
  });

  it('resumed from a checkpoint, does not emit again the windows emitted before it', () => {
    const first = new WindowsService(config);
    const step = first.ingest(2, [event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 12_500)], '3', 0);
    const resumed = new WindowsService(config);
    resumed.resume(2, decodeCheckpoint(step.commit?.metadata), 0);
    const replay = resumed.ingest(2, [event(1, T0 + 11_000), event(2, T0 + 12_500), event(3, T0 + 23_000)], '4', 0);
    expect(replay.metrics.map((m) => [m.windowStart, m.count])).toEqual([[T0 + 10_000, 2]]);
  });

  it('emits hopping windows in the same step as the tumbling window they end with, and commits back to their oldest pane', () => {
    const s = new WindowsService({ windows: { ...config.windows, hopping: { sizeMs: 30_000, advanceMs: 10_000 } } } as AggregatorConfig);
    const out = s.ingest(2, [event(0, T0 + 1_000), event(1, T0 + 11_000), event(2, T0 + 22_500)], '3', 0);
    expect(out.metrics.map((m) => [m.kind, (m.windowStart - T0) / 1000, m.count])).toEqual([
      ['tumbling', 0, 1],
      ['hopping', -20, 1],
      ['tumbling', 10, 1],
      ['hopping', -10, 2],
    ]);
    expect(out.commit?.offset).toBe('0'); // the window from 0 s to 30 s still needs the first pane
  });
});

