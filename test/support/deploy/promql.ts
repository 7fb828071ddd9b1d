/**
 * Just enough PromQL reading to list what a query depends on: the metric names it selects, the label
 * names it matches or groups by. Hand-written because no maintained PromQL parser exists for Node
 * (Prometheus' own is Go; promtool checks syntax, not names): it strips what cannot be a metric name
 * (strings, label matchers, ranges, offsets, grouping lists), then keeps the identifiers that are not
 * followed by `(` (functions, aggregations) and are not keywords. promql.spec.ts pins its behaviour.
 */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);
const GROUPING = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;

export interface QueryRefs {
  /** Metric names, in order of appearance, each once. */
  metrics: string[];
  /** Per metric name, the label names its selectors match on. */
  matchers: Map<string, Set<string>>;
  /** Label names in by/without/on/ignoring/group_* lists. */
  grouping: Set<string>;
  /** Values a `job` matcher compares with (regex alternatives split). */
  jobs: Set<string>;
}

const blankStrings = (s: string): string => s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');

export function queryRefs(expr: string): QueryRefs {
  const matchers = new Map<string, Set<string>>();
  const jobs = new Set<string>();
  // Label matchers, read before strings are blanked: `name{a="x", b=~"y|z"}` or a bare `{__name__=...}`.
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*\{([^}]*)\}/g)) {
    const labels = [...m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"/g)];
    if (m[1]) matchers.set(m[1], new Set([...(matchers.get(m[1]) ?? []), ...labels.map((l) => l[1])]));
    for (const l of labels) if (l[1] === 'job') l[3].split('|').forEach((j) => jobs.add(j));
  }
  const grouping = new Set<string>();
  for (const g of expr.matchAll(GROUPING))
    for (const l of g[2]
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean))
      grouping.add(l);

  const stripped = blankStrings(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(GROUPING, ' ')
    .replace(/\boffset\s+-?[0-9a-zA-Z$_]+/g, ' ')
    .replace(/@\s*(start\(\)|end\(\)|[0-9.]+)/g, ' ');
  const metrics: string[] = [];
  for (const m of stripped.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const token = m[0];
    const before = stripped[m.index - 1] ?? ' ';
    if (/[0-9.$]/.test(before)) continue; // 1e3, 0.5e-2, a Grafana $variable
    if (
      stripped
        .slice(m.index + token.length)
        .trimStart()
        .startsWith('(')
    )
      continue; // a function or aggregation
    if (KEYWORDS.has(token.toLowerCase()) || metrics.includes(token)) continue;
    metrics.push(token);
  }
  return { metrics, matchers, grouping, jobs };
}

/** A Grafana query variable: `label_values(metric, label)` or `label_values(label)` (no metric), or a plain query. */
export function variableQueryRefs(query: string): QueryRefs {
  const lv = /^\s*label_values\(\s*(?:(.+?)\s*,\s*)?([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\s*$/.exec(query);
  if (!lv) return queryRefs(query);
  const refs = lv[1] ? queryRefs(lv[1]) : queryRefs('');
  refs.grouping.add(lv[2]);
  return refs;
}
