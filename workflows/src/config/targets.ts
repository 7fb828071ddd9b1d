import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_TARGET_LIMITS, parseTarget, ScalingTarget, TargetLimits } from '@smartscale/contracts';

/** Reads and validates the targets file; one error lists the file and every bad field. */
export function loadTargets(file: string, limits: TargetLimits = DEFAULT_TARGET_LIMITS): ScalingTarget[] {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read targets file ${file}: ${(err as Error).message}`);
  }
  const list = z.array(z.unknown()).safeParse(raw);
  if (!list.success) throw new Error(`targets file ${file} must hold a JSON array of targets`);
  const targets = list.data.map((t, i) => {
    try {
      return parseTarget(t, limits);
    } catch (err) {
      const issues =
        err instanceof z.ZodError ? err.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ') : (err as Error).message;
      throw new Error(`targets file ${file}, target #${i}: ${issues}`);
    }
  });
  const ids = targets.map((t) => t.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new Error(`targets file ${file}: target id "${dup}" appears twice`);
  return targets;
}
