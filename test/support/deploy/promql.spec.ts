import { queryRefs, variableQueryRefs } from './promql';

describe(queryRefs.name, () => {
  it('keeps metric names and drops functions, aggregations, keywords, ranges and numbers', () => {
    const r = queryRefs(
      'histogram_quantile(0.95, sum by (le, activity) (rate(smartscale_worker_activity_duration_seconds_bucket[$__rate_interval]))) * 1e3',
    );
    expect(r.metrics).toEqual(['smartscale_worker_activity_duration_seconds_bucket']);
    expect([...r.grouping]).toEqual(['le', 'activity']);
  });

  it('reads both sides of a binary operation, and a trailing grouping clause', () => {
    const r = queryRefs('sum(rate(a_total[5m])) by (reason) / ignoring(reason) group_left sum(rate(b_total[5m])) > 0.05 and c');
    expect(r.metrics).toEqual(['a_total', 'b_total', 'c']);
    expect([...r.grouping]).toEqual(['reason']);
  });

  it('attributes matchers to their metric and collects job values, whatever the strings hold', () => {
    const r = queryRefs('x{service=~"$service", bound="point", note="by (y) rate(z)"} offset 10s + up{job=~"ingest|worker"}');
    expect(r.metrics).toEqual(['x', 'up']);
    expect([...(r.matchers.get('x') ?? [])]).toEqual(['service', 'bound', 'note']);
    expect([...r.jobs]).toEqual(['ingest', 'worker']);
  });

  it('reads subqueries and time()', () => {
    expect(queryRefs('sum(lag) > 1000 and deriv(sum(lag)[10m:1m]) > 0').metrics).toEqual(['lag']);
    expect(queryRefs('time() - last_seconds{target="a"} > 300').metrics).toEqual(['last_seconds']);
  });
});

describe(variableQueryRefs.name, () => {
  it('reads the metric and the label of label_values()', () => {
    const r = variableQueryRefs('label_values(smartscale_worker_desired_replicas, target)');
    expect(r.metrics).toEqual(['smartscale_worker_desired_replicas']);
    expect([...r.grouping]).toEqual(['target']);
  });
});
