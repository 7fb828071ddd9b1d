const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "90s", "30m", "2h", "1h30m" → milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)];
  const total = parts.reduce((sum, [, n, unit]) => sum + Number(n) * UNITS[unit], 0);
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text || total <= 0) {
    throw new Error(`bad duration "${text}": use e.g. 90s, 30m, 2h or 1h30m`);
  }
  return Math.round(total);
}
