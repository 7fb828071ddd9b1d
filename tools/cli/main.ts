import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { parseDuration } from './duration';

// The SmartScale CLI, over the control REST API (the same signals the Web UI and `temporal` send):
//   npm run smartscale -- status [target]
//   npm run smartscale -- pause demo --reason "deploy" --for 30m
//   npm run smartscale -- resume demo
//   npm run smartscale -- add target.json        /  remove cart
//   npm run smartscale -- override demo 3 --for 10m --reason "launch"
//   npm run smartscale -- policy demo maxReplicas=6 scaleUpCooldownMs=30000
//   npm run smartscale -- history demo --limit 10 [--since 2h]
//   npm run smartscale -- windows checkout --since 15m
const program = new Command('smartscale')
  .option('--url <url>', 'control API base URL', process.env.SMARTSCALE_CONTROL_URL ?? 'http://127.0.0.1:3003')
  .option(
    '--token <token>',
    'bearer token of the control API, sent with every call (default: $SMARTSCALE_CONTROL_TOKEN)',
    process.env.SMARTSCALE_CONTROL_TOKEN,
  );

async function call(method: string, path: string, body?: unknown): Promise<unknown> {
  const { url, token } = program.opts<{ url: string; token?: string }>();
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const print = (v: unknown): void => console.log(JSON.stringify(v, null, 2));

program
  .command('status [target]')
  .description('controller status of one target, or all')
  .action(async (target?: string) => print(await call('GET', `/v1/targets${target ? `/${target}` : ''}`)));
type DecisionRow = { seq: number; at: number; action: string; from: number; to: number; applied: boolean; reasons: { message: string }[] };
program
  .command('history <target>')
  .option('--limit <n>', 'newest decisions to show', Number, 20)
  .option('--since <duration>', 'read the SQL history back this far (e.g. 2h), across restarts and continue-as-new')
  .description('decisions with their reasons')
  .action(async (target: string, o: { limit: number; since?: string }) => {
    const decisions = o.since
      ? (
          (await call('GET', `/v1/targets/${target}/history?from=${Date.now() - parseDuration(o.since)}&limit=${o.limit}`)) as DecisionRow[]
        ).reverse()
      : ((await call('GET', `/v1/targets/${target}/decisions`)) as DecisionRow[]).slice(-o.limit);
    for (const d of decisions) {
      console.log(
        `#${d.seq} ${new Date(d.at).toISOString()} ${d.action.padEnd(4)} ${d.from}→${d.to}${d.applied ? '' : ' (not applied)'}  ${d.reasons.map((r) => r.message).join('; ')}`,
      );
    }
  });
program
  .command('windows <service>')
  .option('--since <duration>', 'how far back', '15m')
  .option('--limit <n>', 'newest windows to show', Number, 100)
  .description("a service's closed windows from the SQL history")
  .action(async (service: string, o: { since: string; limit: number }) => {
    type Row = { windowEnd: number; eventsPerSecond: number; errorRate: number; latencyP95: number | null; consumerLag: number };
    const rows = (await call(
      'GET',
      `/v1/services/${service}/windows?from=${Date.now() - parseDuration(o.since)}&limit=${o.limit}`,
    )) as Row[];
    for (const w of rows.reverse()) {
      console.log(
        `${new Date(w.windowEnd).toISOString()} ${w.eventsPerSecond.toFixed(1).padStart(9)} ev/s  errors ${(w.errorRate * 100).toFixed(1)}%  p95 ${w.latencyP95 ?? '-'} ms  lag ${w.consumerLag}`,
      );
    }
  });
program
  .command('pause <target>')
  .option('--reason <text>', 'why', 'paused from the CLI')
  .option('--for <duration>', 'resume by itself after e.g. 30m')
  .action(async (target: string, o: { reason: string; for?: string }) =>
    print(await call('POST', `/v1/targets/${target}/pause`, { reason: o.reason, ...(o.for ? { forMs: parseDuration(o.for) } : {}) })),
  );
program
  .command('add <file>')
  .description('add a target from a JSON file ({id, service, scaler, policy}) and start its controller')
  .action(async (file: string) => print(await call('POST', '/v1/targets', JSON.parse(readFileSync(file, 'utf8')))));
program
  .command('remove <target>')
  .description("end a target's controller (replicas stay where they are)")
  .action(async (target: string) => print(await call('DELETE', `/v1/targets/${target}`)));
program.command('resume <target>').action(async (target: string) => print(await call('POST', `/v1/targets/${target}/resume`)));
program
  .command('override <target> <replicas>')
  .requiredOption('--for <duration>', 'how long the override holds')
  .option('--reason <text>', 'why')
  .action(async (target: string, replicas: string, o: { for: string; reason?: string }) =>
    print(
      await call('POST', `/v1/targets/${target}/override`, {
        replicas: Number(replicas),
        ttlMs: parseDuration(o.for),
        ...(o.reason ? { reason: o.reason } : {}),
      }),
    ),
  );
program
  .command('policy <target> <changes...>')
  .description('key=value policy changes, validated by the API and the workflow')
  .action(async (target: string, changes: string[]) => {
    const body = Object.fromEntries(
      changes.map((c) => {
        const [k, v] = c.split('=');
        return [k, v !== undefined && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v];
      }),
    );
    print(await call('PUT', `/v1/targets/${target}/policy`, body));
  });

program.parseAsync().catch((err: unknown) => {
  console.error(`smartscale: ${(err as Error).message}`);
  process.exit(1);
});
