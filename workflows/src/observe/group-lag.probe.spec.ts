import { encodeCheckpoint } from '@smartscale/windowing';
import { pendingEvents } from './group-lag.probe';

const checkpoint = (position?: string): string =>
  encodeCheckpoint({ streamTime: 1, closedBefore: 0, ...(position !== undefined ? { position } : {}) });

describe(pendingEvents.name, () => {
  it('counts from the position the aggregator recorded, not from its replay offset', () => {
    // committed at the oldest open window (offset 400) while the consumer has read up to 990
    expect(pendingEvents([{ partition: 0, high: '1000', start: '0', committed: { offset: '400', metadata: checkpoint('990') } }])).toBe(10);
  });

  it('turns records into events with the events per record the aggregator recorded', () => {
    const metadata = encodeCheckpoint({ streamTime: 1, closedBefore: 0, position: '990', eventsPerRecord: 150 });
    expect(pendingEvents([{ partition: 0, high: '1000', start: '0', committed: { offset: '400', metadata } }])).toBe(1500);
  });

  it('falls back to the committed offset for checkpoints without a position and for foreign metadata', () => {
    expect(
      pendingEvents([
        { partition: 0, high: '1000', start: '0', committed: { offset: '400', metadata: checkpoint() } },
        { partition: 1, high: '50', start: '0', committed: { offset: '20', metadata: 'w1:garbage' } },
        { partition: 2, high: '70', start: '0', committed: { offset: '60', metadata: null } },
      ]),
    ).toBe(600 + 30 + 10);
  });

  it('counts a partition never committed from its log start, and never below zero', () => {
    expect(
      pendingEvents([
        { partition: 0, high: '100', start: '30', committed: { offset: '-1', metadata: null } },
        { partition: 1, high: '100', start: '0' },
        { partition: 2, high: '100', start: '0', committed: { offset: '100', metadata: checkpoint('90') } },
      ]),
    ).toBe(70 + 100 + 0);
  });
});
