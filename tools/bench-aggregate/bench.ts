/** Pure helpers of the aggregation benchmark: parsing the broker tool's output, percentiles, CPU. */

export interface ConsumerCeiling {
  messages: number;
  /** Including the group join, as ConsumerPerformance reports it. */
  messages_per_s: number;
  /** Fetch time only: the broker's consumer ceiling. */
  fetch_messages_per_s: number;
  mb_per_s: number;
}

/**
 * ConsumerPerformance's CSV line: start.time, end.time, data.consumed.in.MB, MB.sec,
 * data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec.
 */
export function parseConsumerPerformance(output: string): ConsumerCeiling {
  const line = output.split('\n').find((l) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d:\d{3}, /.test(l.trim()));
  if (!line) throw new Error(`no ConsumerPerformance summary in its output:\n${output.slice(-2000)}`);
  const f = line.split(',').map((s) => s.trim());
  return { messages: Number(f[4]), messages_per_s: Number(f[5]), fetch_messages_per_s: Number(f[9]), mb_per_s: Number(f[8]) };
}

/** Nearest-rank percentile of unsorted numbers; null when empty. */
export function percentile(values: number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** utime + stime in seconds from the text of /proc/<pid>/stat (fields 14 and 15, after the command name). */
export function cpuSecondsFromStat(stat: string, ticksPerSecond = 100): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}
