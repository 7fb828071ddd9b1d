import type { WindowMetric } from '@smartscale/contracts';
import { windowMetric } from '@smartscale/testing';
import { onlyKinds } from './window-metrics-reader';

describe(onlyKinds.name, () => {
  it('passes on the kinds asked for, counting a record without a kind as tumbling', () => {
    const taken: WindowMetric[] = [];
    const take = onlyKinds(['tumbling'], (m) => void taken.push(m));
    const old = windowMetric(10_000);
    const tumbling = windowMetric(20_000, { kind: 'tumbling' });
    const hopping = windowMetric(20_000, { kind: 'hopping', windowStart: -40_000 });
    for (const m of [old, tumbling, hopping]) void take(m);
    expect(taken).toEqual([old, tumbling]);
    const all: WindowMetric[] = [];
    void onlyKinds(['tumbling', 'hopping'], (m) => void all.push(m))(hopping);
    expect(all).toEqual([hopping]);
  });
});
