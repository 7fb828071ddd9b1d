import { subtract, windowsOfPane } from './service-panes';

describe(subtract.name, () => {
  it('leaves the windows not yet taken, in up to two runs around the taken ones', () => {
    expect(subtract({ from: 1, to: 6 }, [])).toEqual([{ from: 1, to: 6 }]);
    expect(subtract({ from: 1, to: 6 }, [{ from: 4, to: 9 }])).toEqual([{ from: 1, to: 3 }]);
    expect(subtract({ from: 1, to: 6 }, [{ from: 5, to: 5 }, { from: 0, to: 2 }])).toEqual([{ from: 3, to: 4 }, { from: 6, to: 6 }]);
    expect(subtract({ from: 1, to: 6 }, [{ from: 0, to: 3 }, { from: 2, to: 7 }])).toEqual([]);
    expect(subtract({ from: 1, to: 6 }, [{ from: 3, to: 2 }])).toEqual([{ from: 1, to: 6 }]);
  });
});

describe(windowsOfPane.name, () => {
  it('numbers the hopping windows holding a pane by their end, in advances', () => {
    // 10 s panes, 60 s windows advancing 20 s: pane 7 (70-80 s) is in the windows ending at 80, 100 and 120 s.
    expect(windowsOfPane({ perAdvance: 2, perWindow: 6 }, 7)).toEqual({ from: 4, to: 6 });
    expect(windowsOfPane(null, 7)).toEqual({ from: 1, to: 0 });
  });
});
