import { DEFAULT_SIM_CONFIG } from './config';
import { expandRows, parseNabCsv, scaleToCapacity, seasonalPeriods } from './trace';

describe(parseNabCsv.name, () => {
  it('keeps rows in file order, including repeated timestamps', () => {
    const csv = 'timestamp,value\n2014-11-02 01:00:00,5\n2014-11-02 01:00:00,7\n2014-11-02 00:30:00,3\n';
    expect(parseNabCsv(csv).values).toEqual([5, 7, 3]);
  });
});

describe(seasonalPeriods.name, () => {
  it('derives day and week periods in rows from the median interval, when the trace shows them twice', () => {
    const halfHourly = Array.from({ length: 48 * 14 }, (_, i) => i * 1_800_000);
    expect(seasonalPeriods(halfHourly)).toEqual([48, 336]);
    expect(seasonalPeriods(halfHourly.slice(0, 100))).toEqual([48]);
  });
});

describe(scaleToCapacity.name, () => {
  it('scales the peak row to peakReplicas at full capacity', () => {
    const rows = scaleToCapacity([1, 4, 2], { ...DEFAULT_SIM_CONFIG, peakReplicas: 10, capacityPerReplica: 100 });
    expect(rows).toEqual([250, 1000, 500]);
    expect(Array.from(expandRows([1, 2], 2))).toEqual([1, 1, 2, 2]);
  });
});
