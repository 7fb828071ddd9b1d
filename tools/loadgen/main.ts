import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { runLoad } from './loadgen';
import { naturalDuration, parseSteps, Shape } from './shapes';

// tools/loadgen: traffic for SmartScale's ingest API. Examples:
//   node dist/tools/loadgen/main.js --shape steps --steps 15:40,120:80,15:120
//   node dist/tools/loadgen/main.js --shape replay --csv ../shared/data/nab/data/realKnownCause/nyc_taxi.csv --seconds-per-row 1 --peak 200
const program = new Command('loadgen')
  .option('--url <url>', 'ingest base URL (this machine only)', 'http://127.0.0.1:3000')
  .option('--service <name>', 'service name on every event', 'checkout')
  .addOption(new Option('--shape <shape>', 'traffic shape').choices(['constant', 'ramp', 'spike', 'sine', 'steps', 'replay']).default('constant'))
  .option('--rate <n>', 'constant rate, or base rate of spike/sine (events/s)', Number, 20)
  .option('--peak <n>', 'peak rate of spike/ramp/replay (events/s)', Number, 200)
  .option('--at <s>', 'spike start (s)', Number, 30)
  .option('--for <s>', 'spike length (s)', Number, 60)
  .option('--period <s>', 'sine period (s)', Number, 300)
  .option('--steps <spec>', 'steps as rate:seconds,… (shape steps)')
  .option('--csv <file>', 'timestamp,value trace to replay (shape replay)')
  .option('--seconds-per-row <s>', 'replay speed', Number, 1)
  .option('--duration <s>', 'run time in seconds (finite shapes default to their length)', Number)
  .option('--batch <n>', 'events per request', Number, 50)
  .option('--error-rate <p>', 'fraction of events with status 503', Number, 0.02)
  .option('--quiet', 'no per-second line');

function shapeOf(o: Record<string, unknown>): Shape {
  const n = (k: string): number => o[k] as number;
  switch (o.shape) {
    case 'ramp': return { kind: 'ramp', from: n('rate'), to: n('peak'), seconds: n('duration') ?? 60 };
    case 'spike': return { kind: 'spike', base: n('rate'), peak: n('peak'), at: n('at'), for: n('for') };
    case 'sine': return { kind: 'sine', base: n('rate'), amplitude: n('peak') - n('rate'), periodSeconds: n('period') };
    case 'steps': return { kind: 'steps', steps: parseSteps(String(o.steps ?? '')) };
    case 'replay': return { kind: 'replay', values: readTrace(String(o.csv)), secondsPerRow: n('secondsPerRow'), peak: n('peak') };
    default: return { kind: 'constant', rate: n('rate') };
  }
}

function readTrace(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').slice(1).filter(Boolean).map((line) => Number(line.split(',')[1]));
}

async function main(): Promise<void> {
  const o = program.parse().opts();
  const shape = shapeOf(o);
  const duration = (o.duration as number | undefined) ?? naturalDuration(shape) ?? 60;
  const stats = await runLoad({
    url: o.url, service: o.service, shape, durationSeconds: duration, batchSize: o.batch, errorRate: o.errorRate,
    onSecond: o.quiet ? undefined : (s, rate, t) => console.log(`[loadgen] t=${String(t).padStart(4)}s rate=${String(rate).padStart(5)} ev/s accepted=${s.accepted} rejected=${s.rejected} failed=${s.failed}`),
  });
  console.log(JSON.stringify({ sent: stats.sent, accepted: stats.accepted, rejected: stats.rejected, failed: stats.failed }));
  if (stats.failed + stats.rejected > 0) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
