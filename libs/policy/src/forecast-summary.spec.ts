import { summarizeForecast } from './decide';

describe(summarizeForecast.name, () => {
  it("reduces the predictor's answer for decide(), as both the worker's PredictorClient and the backtester call it: peaks, periods in ms, the interval's coverage and the history learned", () => {
    const f = {
      v: 1 as const,
      service: 's',
      model: 'm',
      windowMs: 10_000,
      basedOnWindowEnd: 50_000,
      generatedAt: 0,
      anomalyScore: 0.2,
      seasonalPeriods: [6],
      intervalCoverage: 0.8,
      historyWindows: 40,
      points: [
        { windowEnd: 60_000, eventsPerSecond: 5, lower: 1, upper: 9 },
        { windowEnd: 70_000, eventsPerSecond: 7, lower: 2, upper: 8 },
      ],
    };
    expect(summarizeForecast(f)).toEqual({
      peakEventsPerSecond: 7,
      upperPeakEventsPerSecond: 9,
      basedOnWindowEnd: 50_000,
      anomalyScore: 0.2,
      seasonalPeriodsMs: [60_000],
      intervalCoverage: 0.8,
      historyWindows: 40,
    });
  });
});
