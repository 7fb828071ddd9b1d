import type { Registry } from 'prom-client';

/**
 * The value of one sample in a prom-client registry, as /metrics would show it: `name` is the sample
 * name (a histogram's `_bucket`, `_sum`, `_count` included), `labels` must all match.
 */
export async function metricSample(
  registry: Registry,
  name: string,
  labels: Record<string, string | number> = {},
): Promise<number | undefined> {
  for (const family of await registry.getMetricsAsJSON()) {
    // Histograms and summaries name each sample (x_bucket, x_sum...); other types leave it to the family.
    for (const v of family.values as { value: number; labels: Record<string, string | number>; metricName?: string }[]) {
      if ((v.metricName ?? family.name) === name && Object.entries(labels).every(([k, l]) => String(v.labels[k]) === String(l)))
        return v.value;
    }
  }
  return undefined;
}
