import type { Forecast } from '@smartscale/contracts';
import { ForecastHistory } from './forecast-history';

const forecast = (basedOn: number, service = 'checkout'): Forecast => ({
  v: 1,
  service,
  model: 'ensemble',
  windowMs: 10,
  basedOnWindowEnd: basedOn,
  generatedAt: basedOn + 1,
  anomalyScore: 0.2,
  points: [1, 2, 3].map((k) => ({ windowEnd: basedOn + 10 * k, eventsPerSecond: k, lower: k - 0.5, upper: k + 0.5 })),
});

describe(ForecastHistory.name, () => {
  it('keeps the first point of each forecast once per window, and the newest forecast whole', () => {
    const h = new ForecastHistory();
    h.add(forecast(100));
    h.add({ ...forecast(100), generatedAt: 999 });
    h.add(forecast(110));
    expect(h.between('checkout', 0, 1_000)).toEqual([
      { windowEnd: 110, eventsPerSecond: 1, lower: 0.5, upper: 1.5, anomalyScore: 0.2 },
      { windowEnd: 120, eventsPerSecond: 1, lower: 0.5, upper: 1.5, anomalyScore: 0.2 },
    ]);
    expect(h.latestFor('checkout')?.basedOnWindowEnd).toBe(110);
    expect(h.latestFor('other')).toBeNull();
  });

  it('answers a half-open range and drops the oldest points past its capacity', () => {
    const h = new ForecastHistory(3);
    for (const basedOn of [0, 10, 20, 30, 40]) h.add(forecast(basedOn));
    expect(h.between('checkout', 0, 1_000).map((p) => p.windowEnd)).toEqual([30, 40, 50]);
    expect(h.between('checkout', 30, 50).map((p) => p.windowEnd)).toEqual([30, 40]);
  });
});
