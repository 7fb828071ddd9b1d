import { HorizonAccumulator, SERVICE_LEVELS } from './metrics';

describe(HorizonAccumulator.name, () => {
  it('scores interval coverage and the share of outcomes under each service-level quantile', () => {
    const acc = new HorizonAccumulator();
    // point 100, 80 % interval [80, 120]: q0.9 = 120, q0.95 ≈ 128.6, q0.99 ≈ 148.6 (Laplace tail)
    for (const actual of [90, 110, 121, 130, 140]) acc.add({ point: 100, lower: 80, upper: 120 }, actual);
    const m = acc.finish(1, 10, 10, 10);
    expect(SERVICE_LEVELS).toEqual([0.9, 0.95, 0.99]);
    expect(m.coverage).toBeCloseTo(2 / 5, 9);
    expect(m.serviceLevels).toEqual([2 / 5, 3 / 5, 1]);
  });
});
