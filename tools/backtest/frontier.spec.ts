import { bestByCost, dominates, FrontierPoint, paretoFrontier, underAtCost } from './frontier';

const p = (replica_hours: number, under_provisioned_minutes: number, knob = `${replica_hours}`): FrontierPoint => ({
  knob,
  replica_hours,
  under_provisioned_minutes,
  scaling_actions: 0,
});

describe(paretoFrontier.name, () => {
  it('keeps only the points nothing beats on both axes, cheapest first', () => {
    const frontier = paretoFrontier([p(12, 5), p(10, 20), p(11, 25), p(14, 5), p(13, 2)]);
    // (11, 25) is beaten by (10, 20); (14, 5) by (12, 5)
    expect(frontier.map((f) => [f.replica_hours, f.under_provisioned_minutes])).toEqual([
      [10, 20],
      [12, 5],
      [13, 2],
    ]);
  });
});

describe(underAtCost.name, () => {
  const frontier = paretoFrontier([p(10, 20), p(12, 5), p(13, 2)]);

  it('interpolates linearly between the two frontier points around the cost', () => {
    expect(underAtCost(frontier, 11)).toBeCloseTo(12.5, 9);
    expect(underAtCost(frontier, 12.5)).toBeCloseTo(3.5, 9);
    expect(underAtCost(frontier, 12)).toBe(5);
  });

  it('is null below the cheapest point and the best value beyond the costliest', () => {
    expect(underAtCost(frontier, 9.99)).toBeNull();
    expect(underAtCost(frontier, 100)).toBe(2);
    expect(underAtCost([], 10)).toBeNull();
  });
});

describe(dominates.name, () => {
  const b = paretoFrontier([p(10, 20), p(12, 5)]);

  it('holds when the frontier is at or below every point of the other, strictly somewhere', () => {
    expect(dominates(paretoFrontier([p(9, 18), p(11, 4)]), b)).toBe(true);
    expect(dominates(b, b)).toBe(false); // equal everywhere is not domination
  });

  it('fails where the frontier is higher at one point, or cannot run as cheaply', () => {
    // lower at 12 h, higher at 10 h
    expect(dominates(paretoFrontier([p(9, 40), p(11, 1)]), b)).toBe(false); // 20.5 at 10 h, above 20
    // much better, but its cheapest point costs more than b's cheapest
    expect(dominates(paretoFrontier([p(10.5, 1)]), b)).toBe(false);
  });
});

describe(bestByCost.name, () => {
  it('names the lowest frontier over each range of cost, only where it can run', () => {
    const ranges = bestByCost({ cheap: paretoFrontier([p(10, 20), p(20, 10)]), good: paretoFrontier([p(15, 5), p(20, 0)]) }, 10);
    expect(ranges.map((r) => r.best)).toEqual(['cheap', 'good']);
    expect(ranges[0]).toMatchObject({ from_replica_hours: 10, to_replica_hours: 14 });
    expect(ranges[1]).toMatchObject({ from_replica_hours: 15, to_replica_hours: 20 });
  });
});
