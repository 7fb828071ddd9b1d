import { createServiceModel } from '../../apps/predictor/src/forecast/service-model';
import { parsePolicy } from '@smartscale/contracts';
import { decide, DecideState } from '@smartscale/policy';
import { parseSteps } from '../loadgen/shapes';
import { cycleSteps, leadLine, median, reactionTimes, riseLeads, risesOf, spikeStarts, stepsSpec } from './spikes';

interface Decision {
  seq?: number;
  action: string;
  applied: boolean;
  at: number;
}

describe('demo spike reaction', () => {
  it('finds the steps that at least double the rate', () => {
    const steps = parseSteps('15:45,130:90,15:165,20:10,100:5');
    expect(spikeStarts(steps, 1_000)).toEqual([
      { at: 46_000, from: 15, to: 130 },
      { at: 1_000 + (45 + 90 + 165 + 10) * 1000, from: 20, to: 100 },
    ]);
    expect(() => parseSteps('15:45,fast')).toThrow('bad step "fast"');
  });

  it('times each spike to its first applied scale-up, ignoring holds, unapplied and earlier decisions', () => {
    const spikes = [{ at: 10_000 }, { at: 100_000 }];
    const decisions = [
      { action: 'up', applied: true, at: 5_000 },
      { action: 'hold', applied: false, at: 20_000 },
      { action: 'up', applied: false, at: 22_000 },
      { action: 'up', applied: true, at: 27_500 },
      { action: 'up', applied: true, at: 30_000 },
    ];
    expect(reactionTimes(spikes, decisions)).toEqual([17.5, null]);
    expect(median([17.5, null, 12, 30])).toBe(17.5);
    expect(median([4, 2])).toBe(3);
    expect(median([null])).toBeNull();
  });
});

describe('demo rises', () => {
  it('plays a noisy cycle whose every rise is a doubling and every fall a halving, and nothing else', () => {
    const steps = cycleSteps({ low: 15, high: 100, lowSeconds: 70, highSeconds: 40, cycles: 4, noise: 0.15 });
    expect(steps.reduce((sum, s) => sum + s.seconds, 0)).toBe(480);
    expect(new Set(steps.map((s) => s.rate)).size).toBeGreaterThan(10); // noisy, not flat
    const rises = risesOf(parseSteps(stepsSpec(steps)), 0);
    expect(rises.map((r) => [r.since / 1000, r.at / 1000, r.until / 1000])).toEqual([
      [40, 110, 150],
      [150, 220, 260],
      [260, 330, 370],
      [370, 440, 480],
    ]);
    expect(stepsSpec(cycleSteps({ low: 15, high: 100, lowSeconds: 70, highSeconds: 40, cycles: 4, noise: 0.15 }))).toBe(stepsSpec(steps)); // same demo every run
  });

  it('credits a rise with the last scale-up of its low phase that no scale-in undid, else the first one during it', () => {
    const rises = risesOf(parseSteps('15:60,100:40,15:60,100:40,15:60,100:40'), 0);
    const decisions: Decision[] = [
      { action: 'up', applied: true, at: 70_000 }, // rise 1: 10 s after
      { action: 'down', applied: true, at: 115_000 }, // predictive scale-in after the fall
      { action: 'up', applied: true, at: 137_000 }, // rise 2: 23 s before
      { action: 'up', applied: false, at: 150_000 }, // recommended only
      { action: 'up', applied: true, at: 230_000 }, // rise 3: undone by the scale-in below, then late
      { action: 'down', applied: true, at: 240_000 },
      { action: 'up', applied: true, at: 262_000 },
    ];
    const leads = riseLeads(rises, decisions);
    expect(leads.map((l) => l?.seconds ?? null)).toEqual([10, -23, 2]);
    expect(leadLine(-23)).toBe('scale-up applied 23.0 s before the load rose');
    expect(leadLine(2)).toBe('scale-up applied 2.0 s after the load rose');
    expect(riseLeads(rises, [])).toEqual([null, null, null]);
  });
});

describe('demo cycle replayed through the predictor model and decide()', () => {
  // The pipeline's timing: 10 s windows, each usable 2.5 s after it ends (grace and publication),
  // a decision every 5 s; the load starts `offset` seconds into a window.
  function replay(offset: number): (number | null)[] {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const targets = require('../../workflows/config/targets.cycle.json') as { policy: unknown }[];
    const policy = parsePolicy(targets[0].policy);
    const steps = cycleSteps({ low: 15, high: 100, lowSeconds: 70, highSeconds: 40, cycles: 4, noise: 0.15 });
    const total = steps.reduce((sum, s) => sum + s.seconds, 0);
    const rateAt = (t: number): number => {
      let end = 0;
      for (const s of steps) if (t < (end += s.seconds)) return s.rate;
      return 0;
    };
    const T0 = 1_700_000_000_000;
    let seed = 5;
    const uniform = (): number => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;
    const windows = Array.from({ length: Math.ceil((total + 20) / 10) }, (_, k) => {
      let events = 0;
      for (let s = 10 * k; s < 10 * k + 10; s++) events += Math.max(0, Math.round(rateAt(s - offset) * (1 + 0.3 * (uniform() - 0.5))));
      return { end: T0 + (k + 1) * 10_000, eps: events / 10 };
    });
    const model = createServiceModel(10_000, []);
    let current = 1;
    let state: DecideState = { lastScaleUpAt: null, lastScaleDownAt: null, recommendations: [] };
    const decisions: Decision[] = [];
    let learned = 0;
    for (let t = 5; t < total + 20; t += 5) {
      const now = T0 + t * 1000;
      while (learned < windows.length && windows[learned].end + 2_500 <= now) model.observe(windows[learned].end, windows[learned++].eps);
      const last = windows[learned - 1];
      const points = model.forecast(policy.forecastHorizonWindows);
      const d = decide({
        now,
        observation: last ? { eventsPerSecond: last.eps, windowEnd: last.end, consumerLag: 0, currentReplicas: current } : null,
        forecast: last
          ? {
              peakEventsPerSecond: Math.max(...points.map((p) => p.eventsPerSecond)),
              upperPeakEventsPerSecond: Math.max(...points.map((p) => p.upper)),
              basedOnWindowEnd: last.end,
              anomalyScore: model.anomalyScore,
              historyWindows: model.historyWindows,
            }
          : null,
        policy,
        state,
        lastKnownReplicas: current,
        pendingEvents: 0,
      });
      state = {
        lastScaleUpAt: d.action === 'up' ? now : state.lastScaleUpAt,
        lastScaleDownAt: d.action === 'down' ? now : state.lastScaleDownAt,
        recommendations: d.recommendations,
      };
      if (d.action !== 'hold') decisions.push({ action: d.action, applied: true, at: now - offset * 1000 });
      current = d.to;
    }
    return riseLeads(risesOf(steps, T0), decisions).map((lead) => lead?.seconds ?? null);
  }

  it.each([0, 3, 7])('scales up before the third and fourth rise (load %d s into a window)', (offset) => {
    const leads = replay(offset);
    expect(leads).toHaveLength(4);
    expect(leads[2]).toBeLessThan(-5);
    expect(leads[3]).toBeLessThan(-5);
  });
});
