/** Traffic shapes as pure functions of elapsed seconds → events/s. */
export type Shape =
  | { kind: 'constant'; rate: number }
  | { kind: 'ramp'; from: number; to: number; seconds: number }
  | { kind: 'spike'; base: number; peak: number; at: number; for: number }
  | { kind: 'sine'; base: number; amplitude: number; periodSeconds: number }
  | { kind: 'steps'; steps: { rate: number; seconds: number }[] }
  | { kind: 'replay'; values: number[]; secondsPerRow: number; peak: number };

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

/** A NAB-style `timestamp,value` trace, scaled so that its maximum becomes `peak` events/s. */
function replayRate(shape: Extract<Shape, { kind: 'replay' }>, t: number): number {
  const i = Math.floor(t / shape.secondsPerRow);
  if (i >= shape.values.length) return 0;
  const max = Math.max(...shape.values);
  return max > 0 ? (shape.values[i] / max) * shape.peak : 0;
}
