// The demo's headline figures: for each rise of the load, when the controller applied its scale-up,
// before or after the rise. Pure functions over the loadgen's parsed steps (tools/loadgen/shapes.ts)
// and the workflow's decisions, so that start.ts only feeds them.

/** One step of the load, as tools/loadgen/shapes.ts parses it. */
export interface Step {
  rate: number;
  seconds: number;
}

/** A rise of the load (epoch ms) and the stretch it belongs to: see risesOf. */
export interface Rise {
  at: number;
  from: number;
  to: number;
  since: number;
  until: number;
}

/** What these functions read of the workflow's decisions (libs/contracts Decision). */
export interface DecisionLike {
  action: string;
  applied: boolean;
  at: number;
}

/** Every step that at least doubles the rate, as { at (epoch ms), from, to }. */
export function spikeStarts(steps: Step[], startedAt: number): { at: number; from: number; to: number }[] {
  return risesOf(steps, startedAt).map(({ at, from, to }) => ({ at, from, to }));
}

/**
 * Every rise (a step that at least doubles the rate) with the stretch it belongs to: `since` is the
 * end of the previous high phase (the last step that at least halved the rate) or the start, `until`
 * the end of this one (the next halving) or the end of the steps. A scale-up in [since, at) came
 * before the load rose.
 */
export function risesOf(steps: Step[], startedAt: number): Rise[] {
  const rises: Rise[] = [];
  let t = startedAt;
  let since = startedAt;
  for (let i = 0; i < steps.length; i++) {
    if (i > 0 && steps[i].rate >= 2 * steps[i - 1].rate)
      rises.push({ at: t, from: steps[i - 1].rate, to: steps[i].rate, since, until: Infinity });
    if (i > 0 && 2 * steps[i].rate <= steps[i - 1].rate) {
      since = t;
      if (rises.length > 0 && rises[rises.length - 1].until === Infinity) rises[rises.length - 1].until = t;
    }
    t += steps[i].seconds * 1000;
  }
  for (const r of rises) if (r.until === Infinity) r.until = t;
  return rises;
}

/**
 * For each spike, the seconds until the first applied scale-up decided at or after it (and before the
 * next spike); null while none has landed.
 */
export function reactionTimes(spikes: { at: number }[], decisions: DecisionLike[]): (number | null)[] {
  return spikes.map((spike, i) => {
    const until = spikes[i + 1]?.at ?? Infinity;
    const up = decisions.filter((d) => d.action === 'up' && d.applied && d.at >= spike.at && d.at < until).sort((a, b) => a.at - b.at)[0];
    return up ? (up.at - spike.at) / 1000 : null;
  });
}

/**
 * For each rise, the applied scale-up that met it: the last one in its low phase that no scale-down
 * undid before the rise (negative seconds: before the load rose), else the first one during the rise
 * (positive: after). Null while there is none; the decision itself is returned for its reasons.
 */
export function riseLeads<D extends DecisionLike>(rises: Rise[], decisions: D[]): ({ seconds: number; decision: D } | null)[] {
  const applied = decisions.filter((d) => d.applied && d.action !== 'hold').sort((a, b) => a.at - b.at);
  return rises.map((rise) => {
    let before: D | null = null;
    for (const d of applied.filter((x) => x.at >= rise.since && x.at < rise.at)) before = d.action === 'up' ? d : null;
    const up = before ?? applied.find((d) => d.action === 'up' && d.at >= rise.at && d.at < rise.until) ?? null;
    return up ? { seconds: (up.at - rise.at) / 1000, decision: up } : null;
  });
}

/** "scale-up applied 23.4 s before the load rose" (or after): the demo's line for one rise. */
export function leadLine(seconds: number): string {
  return `scale-up applied ${Math.abs(seconds).toFixed(1)} s ${seconds < 0 ? 'before' : 'after'} the load rose`;
}

/**
 * A recurring pattern for the default demo: `cycles` times a high phase then a low phase, and a last
 * high phase, so that there are `cycles` rises and two whole cycles have passed before the third; in
 * 10 s steps with ±`noise` relative jitter from a fixed seed (the same demo every run).
 */
export function cycleSteps(o: {
  low: number;
  high: number;
  lowSeconds: number;
  highSeconds: number;
  cycles: number;
  noise: number;
  stepSeconds?: number;
  seed?: number;
}): Step[] {
  const { low, high, lowSeconds, highSeconds, cycles, noise, stepSeconds = 10, seed = 7 } = o;
  let s = seed >>> 0;
  const jitter = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 1 + noise * (2 * (s / 2 ** 32) - 1);
  };
  const phase = (rate: number, seconds: number): Step[] =>
    Array.from({ length: Math.round(seconds / stepSeconds) }, () => ({ rate: Math.round(rate * jitter()), seconds: stepSeconds }));
  return [
    ...Array.from({ length: cycles }, () => [...phase(high, highSeconds), ...phase(low, lowSeconds)]).flat(),
    ...phase(high, highSeconds),
  ];
}

/** The steps as loadgen's --steps spec. */
export function stepsSpec(steps: Step[]): string {
  return steps.map((x) => `${x.rate}:${x.seconds}`).join(',');
}

export function median(values: (number | null | undefined)[]): number | null {
  const v = values.filter((x): x is number => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return null;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}
