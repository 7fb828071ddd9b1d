import type { ControllerStatus, Decision } from '@smartscale/contracts';
import type { ConsoleEvent, ConsoleSnapshot, TargetState } from './console.types';

/** The state a person reads first: a pause wins over an override, which wins over the policy's mode. */
export function stateOf(status: ControllerStatus, now: number): TargetState {
  if (status.paused && (status.paused.until === null || status.paused.until > now)) return 'paused';
  if (status.override && status.override.expiresAt > now) return 'override';
  if (status.policy.mode === 'recommend') return 'recommend';
  return 'active';
}

/**
 * The events that take a page from `prev` to `next`. Decisions are passed in (not derived from the
 * statuses) because a status only shows the last one and ticks can be faster than the poll.
 */
export function changesBetween(prev: ConsoleSnapshot, next: ConsoleSnapshot, decisions: Map<string, Decision[]>): ConsoleEvent[] {
  const events: ConsoleEvent[] = [];
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (!same(prev.health, next.health)) events.push({ type: 'health', data: next.health });
  if (!same(prev.targets, next.targets)) events.push({ type: 'status', data: { targets: next.targets } });
  for (const t of next.targets) {
    for (const decision of decisions.get(t.id) ?? [])
      events.push({ type: 'decision', data: { targetId: t.id, decision, workflowUrl: t.workflowUrl } });
  }
  for (const [service, w] of Object.entries(next.windows)) {
    if (w && w.windowEnd !== prev.windows[service]?.windowEnd) events.push({ type: 'window', data: w });
  }
  for (const [service, f] of Object.entries(next.forecasts)) {
    if (f && f.generatedAt !== prev.forecasts[service]?.generatedAt) events.push({ type: 'forecast', data: f });
  }
  return events;
}

/**
 * Decisions after `lastSeen` given a target's status: the status's last decision when it is the only
 * new one, otherwise the caller's fetch of the workflow's recent decisions. A seq below `lastSeen`
 * means a new workflow (terminated and started again): its decisions count from the start.
 */
export async function decisionsAfter(
  lastSeen: number | undefined,
  status: ControllerStatus,
  fetchRecent: () => Promise<Decision[]>,
): Promise<Decision[]> {
  const last = status.lastDecision;
  if (!last || lastSeen === undefined || last.seq === lastSeen) return [];
  if (last.seq === lastSeen + 1) return [last];
  const after = last.seq > lastSeen ? lastSeen : 0;
  return (await fetchRecent()).filter((d) => d.seq > after && d.seq <= last.seq).sort((a, b) => a.seq - b.seq);
}
