/** Traffic shapes as pure functions of elapsed seconds → events/s. */
export type Shape =
  | { kind: 'constant'; rate: number }
  | { kind: 'ramp'; from: number; to: number; seconds: number }
  | { kind: 'spike'; base: number; peak: number; at: number; for: number }
  | { kind: 'sine'; base: number; amplitude: number; periodSeconds: number }
  | { kind: 'steps'; steps: { rate: number; seconds: number }[] }
  /** `scale` set: each row's value × scale events/s; else the trace is normalised so its maximum is `peak`. */
  | { kind: 'replay'; values: number[]; secondsPerRow: number; peak: number; scale?: number };

export function rateAt(shape: Shape, t: number): number {
  switch (shape.kind) {
    case 'constant':
      return shape.rate;
    case 'ramp':
      return shape.from + (shape.to - shape.from) * Math.min(1, t / shape.seconds);
    case 'spike':
      return t >= shape.at && t < shape.at + shape.for ? shape.peak : shape.base;
    case 'sine':
      return Math.max(0, shape.base + shape.amplitude * Math.sin((2 * Math.PI * t) / shape.periodSeconds));
    case 'steps':
      return stepRate(shape.steps, t);
    case 'replay':
      return replayRate(shape, t);
  }
}

/** Total seconds a finite shape lasts; null for shapes that go on until --duration. */
export function naturalDuration(shape: Shape): number | null {
  if (shape.kind === 'steps') return shape.steps.reduce((s, x) => s + x.seconds, 0);
  if (shape.kind === 'replay') return shape.values.length * shape.secondsPerRow;
  return null;
}

/** "15:40,120:80" → 15 ev/s for 40 s, then 120 ev/s for 80 s. */
export function parseSteps(spec: string): { rate: number; seconds: number }[] {
  return spec.split(',').map((part) => {
    const [rate, seconds] = part.split(':').map(Number);
    if (!(rate >= 0) || !(seconds > 0)) throw new Error(`bad step "${part}": expected <rate>:<seconds>`);
    return { rate, seconds };
  });
}

function stepRate(steps: { rate: number; seconds: number }[], t: number): number {
  let end = 0;
  for (const s of steps) {
    end += s.seconds;
    if (t < end) return s.rate;
  }
  return 0;
}

/** A NAB-style `timestamp,value` trace as events/s: value × scale, or normalised so its maximum is `peak`. */
function replayRate(shape: Extract<Shape, { kind: 'replay' }>, t: number): number {
  const i = Math.floor(t / shape.secondsPerRow);
  if (i >= shape.values.length) return 0;
  if (shape.scale !== undefined) return Math.max(0, shape.values[i] * shape.scale);
  const max = Math.max(...shape.values);
  return max > 0 ? (shape.values[i] / max) * shape.peak : 0;
}

/**
 * Wall seconds per trace row: with a speedup, the trace's own row interval (median of its timestamp
 * steps) divided by it, so `--speedup 300` plays a 5-minute row in 1 s; else the given value.
 */
export function replaySecondsPerRow(timestamps: number[], speedup: number | undefined, fallback: number): number {
  if (speedup === undefined) return fallback;
  if (!(speedup > 0)) throw new Error(`--speedup must be positive, got ${speedup}`);
  const steps = timestamps
    .slice(1)
    .map((ts, i) => ts - timestamps[i])
    .filter((d) => d > 0)
    .sort((a, b) => a - b);
  if (steps.length === 0) throw new Error('--speedup needs a trace with at least two distinct timestamps');
  return steps[Math.floor(steps.length / 2)] / 1000 / speedup;
}
