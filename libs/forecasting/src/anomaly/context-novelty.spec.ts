import { ContextNovelty } from './context-novelty';

describe(ContextNovelty.name, () => {
  it('finds a repeating pattern familiar and a flat stretch inside its range novel', () => {
    const novelty = new ContextNovelty({ bins: 10, order: 4, maxContexts: 1000 });
    const wave = (t: number): number => Math.sin((2 * Math.PI * t) / 20);
    let familiar = 0;
    for (let t = 0; t < 400; t++) familiar = novelty.update(wave(t), -1, 1);
    const flat = [0, 0, 0, 0].map(() => novelty.update(0.05, -1, 1));
    expect(familiar).toBeLessThan(0.1);
    expect(flat[3]).toBe(1);
  });

  it('restores its counts from JSON', () => {
    const a = new ContextNovelty();
    [1, 2, 3, 4, 1, 2, 3, 4].forEach((v) => a.update(v, 0, 5));
    const b = new ContextNovelty(undefined, JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.update(1, 0, 5)).toBe(a.update(1, 0, 5));
    expect(a.update(2, 0, 5)).toBeLessThan(1);
  });
});
