import { PolicyMetrics, withRatios } from './metrics';
import { POLICY_NAMES, PolicyName } from './run';
import { markdownSummary } from './tables';

const metrics = (under: number, paused: number, episodes: number, median: number | null): PolicyMetrics => ({
  under_provisioned_minutes: under,
  rebalance_paused_minutes: paused,
  short_episodes: episodes,
  short_episode_median_seconds: median,
  replica_hours: 100,
  scaling_actions: 10,
  rebalances: 10,
  backlog_peak_events: 0,
  latency_peak_seconds: 0,
  latency_mean_seconds: 0,
  time_to_scale_seconds: null,
  steps: 0,
});

describe(markdownSummary.name, () => {
  it('says where each policy lost capacity: rebalance pauses, episodes short of capacity and their median length', () => {
    const byPolicy = Object.fromEntries(POLICY_NAMES.map((n) => [n, metrics(1, 0, 0, null)])) as Record<PolicyName, PolicyMetrics>;
    byPolicy.smartscale = metrics(20, 5.5, 37, 37);
    byPolicy.hpa = metrics(40, 10, 44, 60);
    byPolicy.kpa = metrics(21, 0, 36, 34);
    const md = markdownSummary({ grok: withRatios(byPolicy) as Record<PolicyName, PolicyMetrics> }, undefined);
    expect(md).toContain('| grok | **0.5** | **1** | 1 | 2/3 | 20 / 40 / 1 / 21 |');
    expect(md).toContain('| grok | 5.5 / 10 / 0 | 37 / 44 / 0 / 36 | 37 / 60 / – / 34 |');
  });
});
