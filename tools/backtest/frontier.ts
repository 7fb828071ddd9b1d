/**
 * Cost / under-provisioning frontiers (issue 17, item 1). Under-provisioning can always be bought
 * with replicas, so policies are compared at equal cost: each policy's cost knob is swept, its
 * Pareto frontier kept, and under-provisioned minutes read off the frontier at a given cost.
 * Pure functions of the measured points; tested in frontier.spec.ts.
 */
export interface FrontierPoint {
  /** the knob's setting, as reported (e.g. "u=0.7" or a policy JSON) */
  knob: string;
  replica_hours: number;
  under_provisioned_minutes: number;
  scaling_actions: number;
}

/** The points no other point beats on both axes, cheapest first (under-provisioning then falls strictly). */
export function paretoFrontier(points: FrontierPoint[]): FrontierPoint[] {
  const sorted = [...points].sort((a, b) => a.replica_hours - b.replica_hours || a.under_provisioned_minutes - b.under_provisioned_minutes);
  const out: FrontierPoint[] = [];
  for (const p of sorted) {
    if (out.length === 0 || p.under_provisioned_minutes < out[out.length - 1].under_provisioned_minutes) out.push(p);
  }
  return out;
}

/**
 * Under-provisioned minutes the frontier reaches at `cost` replica-hours: linear between the two
 * frontier points around it; the best point's value beyond the costliest (spending more is never
 * needed to get it); null below the cheapest point (the policy cannot run that cheaply with the
 * settings swept).
 */
export function underAtCost(frontier: FrontierPoint[], cost: number): number | null {
  if (frontier.length === 0 || cost < frontier[0].replica_hours) return null;
  for (let i = 1; i < frontier.length; i++) {
    const a = frontier[i - 1];
    const b = frontier[i];
    if (cost <= b.replica_hours) {
      const f = (cost - a.replica_hours) / (b.replica_hours - a.replica_hours);
      return a.under_provisioned_minutes + f * (b.under_provisioned_minutes - a.under_provisioned_minutes);
    }
  }
  return frontier[frontier.length - 1].under_provisioned_minutes;
}

/**
 * Whether frontier `a` dominates frontier `b`: at the cost of every point of `b`, `a` reaches no more
 * under-provisioning, and less at one of them at least. A policy that cannot run as cheaply as one of
 * `b`'s points does not dominate it there.
 */
export function dominates(a: FrontierPoint[], b: FrontierPoint[], epsilon = 1e-9): boolean {
  if (a.length === 0 || b.length === 0) return false;
  let strictly = false;
  for (const p of b) {
    const u = underAtCost(a, p.replica_hours);
    if (u === null || u > p.under_provisioned_minutes + epsilon) return false;
    if (u < p.under_provisioned_minutes - epsilon) strictly = true;
  }
  return strictly;
}

export interface CostRange {
  from_replica_hours: number;
  to_replica_hours: number;
  /** the policy with the fewest under-provisioned minutes over this range of cost */
  best: string;
}

/** Which policy's frontier is lowest where, over the range of cost the frontiers span (sampled on `steps` costs). */
export function bestByCost(frontiers: Record<string, FrontierPoint[]>, steps = 200): CostRange[] {
  const names = Object.keys(frontiers).filter((n) => frontiers[n].length > 0);
  if (names.length === 0) return [];
  const lo = Math.min(...names.map((n) => frontiers[n][0].replica_hours));
  const hi = Math.max(...names.map((n) => frontiers[n][frontiers[n].length - 1].replica_hours));
  const ranges: CostRange[] = [];
  for (let i = 0; i <= steps; i++) {
    const cost = hi === lo ? lo : lo + ((hi - lo) * i) / steps;
    let best: string | null = null;
    let bestUnder = Infinity;
    for (const n of names) {
      const u = underAtCost(frontiers[n], cost);
      if (u !== null && u < bestUnder - 1e-9) {
        best = n;
        bestUnder = u;
      }
    }
    if (best === null) continue;
    const last = ranges[ranges.length - 1];
    if (last && last.best === best) last.to_replica_hours = round(cost);
    else ranges.push({ from_replica_hours: round(cost), to_replica_hours: round(cost), best });
  }
  return ranges;
}

const round = (n: number): number => Math.round(n * 1000) / 1000;
