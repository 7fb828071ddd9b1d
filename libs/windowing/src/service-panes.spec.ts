import { subtract, windowsOfPane } from './service-panes';
import { hopping, tumbling, windowsFor } from './windows';

describe(subtract.name, () => {
  it('leaves the windows not yet taken, in up to two runs around the taken ones', () => {
    expect(subtract({ from: 1, to: 6 }, [])).toEqual([{ from: 1, to: 6 }]);
    expect(subtract({ from: 1, to: 6 }, [{ from: 4, to: 9 }])).toEqual([{ from: 1, to: 3 }]);
    expect(
      subtract({ from: 1, to: 6 }, [
        { from: 5, to: 5 },
        { from: 0, to: 2 },
      ]),
    ).toEqual([
      { from: 3, to: 4 },
      { from: 6, to: 6 },
    ]);
    expect(
      subtract({ from: 1, to: 6 }, [
        { from: 0, to: 3 },
        { from: 2, to: 7 },
      ]),
    ).toEqual([]);
    expect(subtract({ from: 1, to: 6 }, [{ from: 3, to: 2 }])).toEqual([{ from: 1, to: 6 }]);
  });
});

describe(windowsOfPane.name, () => {
  it('numbers the hopping windows holding a pane by their end, in advances', () => {
    // 10 s panes, 60 s windows advancing 20 s: pane 7 (70-80 s) is in the windows ending at 80, 100 and 120 s.
    expect(windowsOfPane({ perAdvance: 2, perWindow: 6 }, 7)).toEqual({ from: 4, to: 6 });
    expect(windowsOfPane(null, 7)).toEqual({ from: 1, to: 0 });
  });

  it('gives the windows windowsFor assigns to every event of the pane, for any geometry', () => {
    const T0 = 1_700_000_000_000;
    for (const [size, advance] of [
      [60_000, 10_000],
      [60_000, 20_000],
      [30_000, 30_000],
      [90_000, 30_000],
    ]) {
      const pane = tumbling(10_000, 0);
      const hop = hopping(size, advance, 0);
      for (const time of [T0, T0 + 9_999, T0 + 10_000, T0 + 25_001, T0 + 59_999, T0 + 123_456]) {
        const [own] = windowsFor(time, pane);
        const { from, to } = windowsOfPane({ perAdvance: advance / 10_000, perWindow: size / 10_000 }, own.start / 10_000);
        const ends = windowsFor(time, hop).map((w) => w.end / advance);
        expect([from, to]).toEqual([ends[0], ends.at(-1)]);
        expect(ends).toHaveLength(to - from + 1);
      }
    }
  });
});
