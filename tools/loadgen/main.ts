import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { Command, Option } from 'commander';
import { latencyQuantile, LoadStats, runLoad, summarise } from './loadgen';
import { naturalDuration, parseSteps, replaySecondsPerRow, Shape } from './shapes';

// tools/loadgen: traffic for SmartScale's ingest API. Examples:
//   node dist/tools/loadgen/main.js --shape steps --steps 15:40,120:80,15:120
//   node dist/tools/loadgen/main.js --shape replay --csv ../shared/data/nab/data/realKnownCause/nyc_taxi.csv --speedup 1800 --scale 0.02
//   node dist/tools/loadgen/main.js --protocol otlp --shape steps --steps 15:40,60:120   (OpenTelemetry SERVER spans to /v1/traces)
//   node dist/tools/loadgen/main.js --mix realistic --shape sine --rate 200 --peak 800 --period 60 --services checkout,cart,search --burst-every 30
// Progress goes to stderr (a bar on a terminal, a line a second otherwise); the JSON summary to stdout.
const program = new Command('loadgen')
  .option('--url <url>', 'ingest base URL (loopback only unless --allow-remote)', 'http://127.0.0.1:3000')
  .option('--allow-remote', 'allow a target that is not this machine')
  .option('--api-key <key>', 'sent as X-API-Key')
  .option('--service <name>', 'the one service of request-only load (--mix requests)', 'checkout')
  .option('--services <list>', 'comma-separated services of the realistic mix', 'checkout,cart,search,payments')
  // Request-only stays the default: `npm start`'s demo sizes its steps for one service's requests.
  .addOption(
    new Option('--mix <mix>', 'request events of --service only, or a realistic mix of types over --services')
      .choices(['requests', 'realistic'])
      .default('requests'),
  )
  .addOption(
    new Option('--protocol <protocol>', 'events: JSON to /v1/events; otlp: OpenTelemetry SERVER spans (OTLP/HTTP protobuf) to /v1/traces')
      .choices(['events', 'otlp'])
      .default('events'),
  )
  .addOption(
    new Option('--shape <shape>', 'traffic shape').choices(['constant', 'ramp', 'spike', 'sine', 'steps', 'replay']).default('constant'),
  )
  .option('--rate <n>', 'constant rate, or base rate of spike/sine (events/s)', Number, 20)
  .option('--peak <n>', 'peak rate of spike/ramp, or of replay without --scale (events/s)', Number, 200)
  .option('--at <s>', 'spike start (s)', Number, 30)
  .option('--for <s>', 'spike length (s)', Number, 60)
  .option('--period <s>', 'sine period (s)', Number, 300)
  .option('--steps <spec>', 'steps as rate:seconds,… (shape steps)')
  .option('--csv <file>', 'timestamp,value trace to replay (shape replay)')
  .option('--seconds-per-row <s>', 'replay: wall seconds per row', Number, 1)
  .option('--speedup <x>', 'replay: play the trace x times faster than its own timestamps (overrides --seconds-per-row)', Number)
  .option('--scale <x>', 'replay: events/s = row value × x (instead of normalising to --peak)', Number)
  .option('--duration <s>', 'run time in seconds (finite shapes default to their length, others to 60)', Number)
  .option('--max-duration <s>', 'hard bound on run time', Number, 3600)
  .option('--batch <n>', 'events per request', Number, 50)
  .option('--error-rate <p>', 'fraction of request events with a 5xx status', Number, 0.02)
  .option('--burst-every <s>', 'realistic mix: an error burst on one service (in turn) every s seconds; 0 = none', Number, 60)
  .option('--burst-for <s>', 'length of an error burst', Number, 10)
  .option('--burst-error-rate <p>', 'error rate inside a burst', Number, 0.4)
  .option('--quiet', 'no progress output');

function shapeOf(o: Record<string, unknown>): Shape {
  const n = (k: string): number => o[k] as number;
  switch (o.shape) {
    case 'ramp':
      return { kind: 'ramp', from: n('rate'), to: n('peak'), seconds: n('duration') ?? 60 };
    case 'spike':
      return { kind: 'spike', base: n('rate'), peak: n('peak'), at: n('at'), for: n('for') };
    case 'sine':
      return { kind: 'sine', base: n('rate'), amplitude: n('peak') - n('rate'), periodSeconds: n('period') };
    case 'steps':
      return { kind: 'steps', steps: parseSteps(String(o.steps ?? '')) };
    case 'replay': {
      const trace = readTrace(String(o.csv));
      const secondsPerRow = replaySecondsPerRow(trace.timestamps, o.speedup as number | undefined, n('secondsPerRow'));
      return { kind: 'replay', values: trace.values, secondsPerRow, peak: n('peak'), scale: o.scale as number | undefined };
    }
    default:
      return { kind: 'constant', rate: n('rate') };
  }
}

function readTrace(file: string): { timestamps: number[]; values: number[] } {
  const rows = readFileSync(file, 'utf8')
    .split('\n')
    .slice(1)
    .filter(Boolean)
    .map((line) => line.split(','));
  // NAB timestamps carry no zone; read them as UTC so only their differences matter.
  return { timestamps: rows.map(([ts]) => Date.parse(`${ts.trim().replace(' ', 'T')}Z`)), values: rows.map(([, v]) => Number(v)) };
}

function assertLoopback(url: string, allowRemote: boolean): void {
  const host = new URL(url).hostname;
  if (!allowRemote && !['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) {
    throw new Error(`refusing to send load to ${host}: pass --allow-remote to target another machine`);
  }
}

function progress(quiet: boolean, duration: number): { tick: (s: LoadStats, rate: number, t: number) => void; stop: () => void } {
  if (quiet) return { tick: () => undefined, stop: () => undefined };
  const fields = (s: LoadStats, rate: number) => ({
    rate,
    sent: s.sent,
    accepted: s.accepted,
    rejected: s.rejected,
    failed: s.failed,
    p50: latencyQuantile(s, 0.5) ?? '-',
    p99: latencyQuantile(s, 0.99) ?? '-',
  });
  if (!process.stderr.isTTY) {
    return {
      tick: (s, rate, t) => {
        const f = fields(s, rate);
        console.error(
          `[loadgen] t=${String(t + 1).padStart(4)}s rate=${String(rate).padStart(6)} ev/s sent=${f.sent} acked=${f.accepted} rejected=${f.rejected} failed=${f.failed} p50=${f.p50}ms p99=${f.p99}ms`,
        );
      },
      stop: () => undefined,
    };
  }
  const bar = new SingleBar({
    stream: process.stderr,
    format:
      '{bar} {value}/{total}s | {rate} ev/s | sent {sent} acked {accepted} rejected {rejected} failed {failed} | p50 {p50} ms p99 {p99} ms',
    hideCursor: true,
  });
  bar.start(duration, 0, fields({ sent: 0, accepted: 0, rejected: 0, failed: 0 } as LoadStats, 0));
  return { tick: (s, rate, t) => bar.update(t + 1, fields(s, rate)), stop: () => bar.stop() };
}

async function main(): Promise<void> {
  const o = program.parse().opts();
  assertLoopback(o.url, Boolean(o.allowRemote));
  if (o.protocol === 'otlp' && o.mix === 'realistic')
    throw new Error('--protocol otlp sends request spans of --service only: it cannot carry the realistic mix');
  const shape = shapeOf(o);
  const duration = Math.min((o.duration as number | undefined) ?? naturalDuration(shape) ?? 60, o.maxDuration as number);
  const bar = progress(Boolean(o.quiet), Math.ceil(duration));
  const started = performance.now();
  const stats = await runLoad({
    url: o.url,
    service: o.service,
    services: String(o.services)
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    mix: o.mix === 'realistic',
    burst: o.burstEvery > 0 ? { everySeconds: o.burstEvery, forSeconds: o.burstFor, errorRate: o.burstErrorRate, latencyFactor: 4 } : null,
    shape,
    durationSeconds: duration,
    batchSize: o.batch,
    errorRate: o.errorRate,
    apiKey: o.apiKey,
    protocol: o.protocol,
    keepIds: false,
    onSecond: bar.tick,
  });
  bar.stop();
  console.log(
    JSON.stringify({
      url: o.url,
      protocol: o.protocol,
      shape: shape.kind,
      duration_s: duration,
      ...summarise(stats, (performance.now() - started) / 1000),
    }),
  );
  if (stats.failed + stats.rejected > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
