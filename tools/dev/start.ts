// `npm start`: starts (or reuses) Kafka and the Temporal dev server and the apps, plays a demo
// scenario, and prints what to watch. Ctrl-C stops everything this run started. node_modules and
// dist/ are already there: tools/bootstrap.js installs and builds before it runs this.
// Topics, groups, the task queue, ports and window defaults come from libs/contracts and the apps'
// config schemas; each scenario's target, service and tick from its targets file.
import { ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { CONSUMER_GROUPS, ControllerStatus, Decision, TASK_QUEUE, TOPICS } from '@smartscale/contracts';
import { loadEnv, windowEnv } from '@smartscale/config';
import { INGEST_ENV_SHAPE } from '../../apps/ingest/src/config/ingest.config';
import { PREDICTOR_ENV_SHAPE } from '../../apps/predictor/src/config/predictor.config';
import { WORKER_ENV_SHAPE } from '../../workflows/src/config/worker.config';
import { loadTargets } from '../../workflows/src/config/targets';
import * as infra from '../infra';
import { parseSteps } from '../loadgen/shapes';
import { appEnv, log, startDetached, stopGroup } from './processes';
import { cycleSteps, leadLine, median, Rise, riseLeads, risesOf, stepsSpec } from './spikes';

const USAGE = `usage: npm start [-- --scenario cycle|spike|idle-burst|otlp] [-- --exit]
  cycle (default)  a recurring load (a 110 s cycle, four rises, with noise): the predictor finds the cycle
                   itself and, from the third rise on, the scale-up lands before the load rises (about 10 minutes)
  spike            one spike: 15 → 130 → 15 events/s, scale up and back down
  idle-burst       the aggregator group goes to zero when idle and wakes on bursts
  otlp             the spike's steps sent as OpenTelemetry SERVER spans (OTLP/HTTP protobuf to /v1/traces),
                   as an instrumented service's exporter would
  --exit           stop everything once the demo traffic has finished
  SMARTSCALE_DEMO_STEPS=<rate:seconds,...> replaces the scenario's steps.`;

export interface Scenario {
  /** The one target of this file is the demo's target (its id, service and tick). */
  targets: string;
  steps: string;
  /** Its own task queue and aggregator group (`<default>-<suffix>`), or the defaults when null. */
  suffix: string | null;
  protocol?: 'events' | 'otlp';
  env?: NodeJS.ProcessEnv;
}

/**
 * Each scenario has its own target, task queue and aggregator group, so that switching scenarios never
 * leaves one's controller driving the other's replicas.
 */
export const SCENARIOS: Record<string, Scenario> = {
  // Its own service, so that the predictor's replay of older windows (tests, other scenarios) is not
  // the same series; no configured periods (SMARTSCALE_PREDICTOR_PERIODS empty): the cycle is found.
  cycle: {
    targets: 'workflows/config/targets.cycle.json',
    suffix: 'cycle',
    env: { SMARTSCALE_PREDICTOR_PERIODS: '' },
    steps: stepsSpec(cycleSteps({ low: 15, high: 100, lowSeconds: 70, highSeconds: 40, cycles: 4, noise: 0.15 })),
  },
  spike: { targets: 'workflows/config/targets.demo.json', suffix: null, steps: '15:45,130:90,15:165' },
  'idle-burst': { targets: 'workflows/config/targets.idle-burst.json', suffix: 'idle-burst', steps: '0:20,60:40,0:150,60:40,0:150' },
  otlp: { targets: 'workflows/config/targets.otlp.json', suffix: 'otlp', steps: '15:45,130:90,15:165', protocol: 'otlp' },
};

/** The ports and window the apps will use: the same variables, defaults and checks as their config schemas. */
export function appSettings(env: NodeJS.ProcessEnv = process.env): {
  ingest: number;
  predictor: number;
  control: number;
  windowMs: number;
  graceMs: number;
} {
  const e = loadEnv(
    {
      SMARTSCALE_INGEST_PORT: INGEST_ENV_SHAPE.SMARTSCALE_INGEST_PORT,
      SMARTSCALE_PREDICTOR_PORT: PREDICTOR_ENV_SHAPE.SMARTSCALE_PREDICTOR_PORT,
      SMARTSCALE_CONTROL_PORT: WORKER_ENV_SHAPE.SMARTSCALE_CONTROL_PORT,
      ...windowEnv,
    },
    env,
  );
  return {
    ingest: e.SMARTSCALE_INGEST_PORT,
    predictor: e.SMARTSCALE_PREDICTOR_PORT,
    control: e.SMARTSCALE_CONTROL_PORT,
    windowMs: e.SMARTSCALE_WINDOW_MS,
    graceMs: e.SMARTSCALE_GRACE_MS,
  };
}

/** A scenario's target, service and tick (from its targets file) and its task queue and aggregator group. */
export function scenarioTarget(scenario: Scenario): { target: string; service: string; tickMs: number; queue: string; group: string } {
  const [target] = loadTargets(join(infra.repoRoot(), scenario.targets));
  return {
    target: target.id,
    service: target.service,
    tickMs: target.policy.tickIntervalMs,
    queue: scenario.suffix ? `${TASK_QUEUE}-${scenario.suffix}` : TASK_QUEUE,
    group: scenario.suffix ? `${CONSUMER_GROUPS.aggregator}-${scenario.suffix}` : CONSUMER_GROUPS.aggregator,
  };
}

const url = (port: number, p = ''): string => `http://127.0.0.1:${port}${p}`;
const reason = (d: Decision, code: string): string | undefined => d.reasons?.find((r) => r.code === code)?.message;

class Demo {
  readonly target: string;
  readonly service: string;
  readonly tickMs: number;
  readonly group: string;
  readonly queue: string;
  readonly steps: string;
  readonly ports = appSettings();
  private readonly children: ChildProcess[] = [];
  private infraStarted = false;
  private stopping: Promise<void> | null = null;
  private rises: Rise[] = [];
  /** Rise index → seconds from the rise to its applied scale-up (negative: before), kept as each one lands. */
  private readonly reported = new Map<number, number | null>();
  /** Decisions already told about (scale-ins). */
  private readonly told = new Set<number>();
  private lastLine = '';

  constructor(
    readonly name: string,
    readonly scenario: Scenario,
    readonly exitWhenDone: boolean,
  ) {
    ({ target: this.target, service: this.service, tickMs: this.tickMs, queue: this.queue, group: this.group } = scenarioTarget(scenario));
    this.steps = process.env.SMARTSCALE_DEMO_STEPS || scenario.steps;
  }

  async run(): Promise<void> {
    const t0 = Date.now();
    const up = await infra.up();
    this.infraStarted = !up.kafka.reused || !up.temporal.reused;
    const cfg = infra.config();
    const { ports } = this;
    const env: NodeJS.ProcessEnv = {
      ...appEnv(cfg),
      SMARTSCALE_PREDICTOR_URL: url(ports.predictor),
      SMARTSCALE_INGEST_PORT: String(ports.ingest),
      SMARTSCALE_PREDICTOR_PORT: String(ports.predictor),
      SMARTSCALE_CONTROL_PORT: String(ports.control),
      SMARTSCALE_TARGETS_FILE: this.scenario.targets,
      SMARTSCALE_TASK_QUEUE: this.queue,
      SMARTSCALE_AGGREGATOR_GROUP: this.group,
      ...this.scenario.env,
    };
    const logs = join(infra.repoRoot(), '.smartscale', 'run');
    mkdirSync(logs, { recursive: true });
    await this.fromNow(cfg.kafka.brokers);
    this.children.push(startDetached('ingest', ['dist/apps/ingest/src/main.js'], env, logs));
    this.children.push(startDetached('predictor', ['dist/apps/predictor/src/main.js'], env, logs));
    this.children.push(startDetached('worker', ['dist/workflows/src/main.js'], env, logs));
    for (const c of this.children)
      c.once('exit', (code) => !this.stopping && log(`a child exited early (code ${code}); see ${logs}/*.log`));
    await Promise.all([
      infra.waitForHttp(url(ports.ingest, '/health'), { timeoutMs: 60_000, what: 'ingest' }),
      infra.waitForHttp(url(ports.predictor, '/health'), { timeoutMs: 60_000, what: 'predictor' }),
      infra.waitForHttp(url(ports.control, '/health'), { timeoutMs: 90_000, what: 'worker' }),
    ]);
    log(`ready in ${infra.secs(t0)}`);
    this.printUrls(cfg);
    await this.play(env, logs);
  }

  /** Plays the scenario's load, reports each rise as it lands, and sums them up at the end. */
  private async play(env: NodeJS.ProcessEnv, logs: string): Promise<void> {
    const { ports } = this;
    const steps = parseSteps(this.steps);
    const watcher = setInterval(() => void this.watch(), 5_000);
    this.rises = risesOf(steps, Date.now());
    const protocol = this.scenario.protocol ?? 'events';
    const args = [
      '--url',
      url(ports.ingest),
      '--protocol',
      protocol,
      '--service',
      this.service,
      '--shape',
      'steps',
      '--steps',
      this.steps,
      '--quiet',
    ];
    const loadgen = startDetached('loadgen', ['dist/tools/loadgen/main.js', ...args], env, logs);
    this.children.push(loadgen);
    const what =
      this.name === 'cycle' && this.steps === this.scenario.steps ? 'a 110 s cycle: 40 s at ~100, 70 s at ~15, ±15 % noise' : this.steps;
    log(
      `scenario ${this.name}: ${what} (${protocol === 'otlp' ? 'OTLP spans/s to /v1/traces' : 'events/s'}:seconds), ${this.rises.length} rise(s) in ${steps.reduce((sum, x) => sum + x.seconds, 0)} s ` +
        `for service "${this.service}"; target "${this.target}" decides every ${this.tickMs / 1000} s`,
    );
    await new Promise((resolve) => loadgen.once('exit', resolve));
    clearInterval(watcher);
    if (this.stopping) return;
    await this.watch();
    // What the pipeline allows a reactive controller at worst: the window must close, wait out its grace,
    // and the next tick must see it.
    const floorS = (ports.windowMs + ports.graceMs + this.tickMs) / 1000;
    // The workflow keeps its last 50 decisions: each rise's lead was taken when it landed.
    const leads = this.rises.map((_, i) => this.reported.get(i) ?? null);
    const before = leads.filter((t) => t !== null && t < 0).length;
    log(
      `rises → scale-up applied: ${leads.map((t) => (t === null ? 'none' : `${t < 0 ? '' : '+'}${t.toFixed(1)} s`)).join(', ')} (negative: before the load rose); ` +
        `${before} of ${leads.length} before; median ${median(leads)?.toFixed(1) ?? '–'} s (reactive worst case: window + grace + tick = +${floorS} s)`,
    );
    if (this.exitWhenDone) return this.shutdown(0);
    log('demo traffic finished. Everything keeps running so you can look around; Ctrl-C stops it all.');
  }

  /**
   * Events left on the topic by tests or earlier runs would be a backlog the demo's aggregators first have
   * to drain (and the controller would rightly scale for it): the demo's group starts at the topic's end.
   */
  private async fromNow(brokers: string): Promise<void> {
    const admin = new Kafka({ brokers: [brokers], clientId: 'smartscale-start', logLevel: logLevel.NOTHING }).admin();
    try {
      await admin.connect();
      if (!(await admin.listTopics()).includes(TOPICS.events)) return;
      const ends = await admin.fetchTopicOffsets(TOPICS.events);
      await admin.setOffsets({
        groupId: this.group,
        topic: TOPICS.events,
        partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })),
      });
    } catch (err) {
      log(`demo: the aggregator group stays where it was (${(err as Error).message}); older events are processed first`);
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private printUrls(cfg: infra.InfraConfig): void {
    const { ports, target, service } = this;
    const wf = `${cfg.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(`scaler/${target}`)}`;
    console.log(`
  Ingest API + OpenAPI     ${url(ports.ingest, '/docs')}
  Predictor                ${url(ports.predictor, `/v1/forecast/${service}?horizon=3`)}
  Live console             ${url(ports.control, '/console')}
  Control API              ${url(ports.control, '/v1/targets')}   (OpenAPI at /docs)
  Temporal Web UI          ${cfg.temporal.uiUrl}
  The demo's workflow      ${wf}
  Metrics                  ${url(ports.ingest, '/metrics')}  ${url(ports.predictor, '/metrics')}  ${url(ports.control, '/metrics')}
  Logs                     .smartscale/run/*.log

  Pause and resume from another terminal:
    curl -XPOST ${url(ports.control, `/v1/targets/${target}/pause`)} -H 'content-type: application/json' -d '{"reason":"looking"}'
    .smartscale/temporal/bin/temporal workflow signal -w scaler/${target} --name resume --address ${cfg.temporal.address}
`);
  }

  private async decisions(): Promise<Decision[]> {
    try {
      const res = await fetch(url(this.ports.control, `/v1/targets/${this.target}/decisions`), { signal: AbortSignal.timeout(3_000) });
      return res.ok ? ((await res.json()) as Decision[]) : [];
    } catch {
      return []; // the worker is restarting or stopping: the watcher says so
    }
  }

  /**
   * One line per rise once its scale-up is known (a scale-up before the rise is final once the rise
   * has come), naming the forecast quantile and periods it planned with; one line per scale-in.
   */
  private async reportRises(): Promise<void> {
    const all = await this.decisions();
    const now = Date.now();
    riseLeads(this.rises, all).forEach((lead, i) => {
      const rise = this.rises[i];
      if (this.reported.has(i) || now < rise.at) return;
      const what = `rise ${i + 1} (${rise.from} → ${rise.to} ev/s)`;
      if (lead !== null) {
        this.reported.set(i, lead.seconds);
        log(
          `${what}: ${leadLine(lead.seconds)} | ${reason(lead.decision, 'forecast') ?? reason(lead.decision, 'reactive-fallback') ?? ''}`,
        );
      } else if (now >= rise.until) {
        // Still at the replicas of the previous rise: nothing was scaled in, so nothing had to come back.
        this.reported.set(i, null);
        log(`${what}: no scale-up: the replicas of the previous rise were still there (no scale-in in between)`);
      }
    });
    for (const d of all.filter((x) => x.applied && x.action === 'down' && !this.told.has(x.seq))) {
      this.told.add(d.seq);
      log(
        `scale-in ${d.from} → ${d.to}: ${reason(d, 'scale-in') ?? ''} | ${reason(d, 'forecast') ?? reason(d, 'reactive-fallback') ?? ''}`,
      );
    }
  }

  private async watch(): Promise<void> {
    try {
      const res = await fetch(url(this.ports.control, `/v1/targets/${this.target}`), { signal: AbortSignal.timeout(3_000) });
      const s = (await res.json()) as ControllerStatus;
      const d = s.lastDecision;
      const obs = d?.inputs?.observedEventsPerSecond;
      const fc = d?.inputs?.forecastPeakEventsPerSecond;
      const line = `replicas ${s.currentReplicas ?? '?'} → ${s.desiredReplicas ?? '?'}${s.paused ? ` (paused: ${s.paused.reason})` : ''} | load ${obs == null ? '–' : obs.toFixed(1)} ev/s, forecast peak ${fc == null ? '–' : fc.toFixed(1)} ev/s | #${d?.seq ?? 0} ${d?.action ?? ''}: ${d?.reasons?.map((r) => r.code).join(', ') ?? ''}`;
      if (line !== this.lastLine) log(line);
      this.lastLine = line;
      await this.reportRises();
    } catch (err) {
      log(`control API not answering: ${(err as Error).message}`);
    }
  }

  /** Stops the apps this run started, and Kafka and Temporal only when this run started them. */
  shutdown(code: number): Promise<void> {
    this.stopping ??= (async () => {
      log('stopping…');
      await Promise.all(this.children.map((c) => stopGroup(c)));
      if (this.infraStarted) await infra.stop();
      else log('Kafka and Temporal were already running before this run: left running');
      log('stopped');
      process.exit(code);
    })();
    return this.stopping;
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(USAGE);
  const at = argv.indexOf('--scenario');
  const name = at >= 0 ? (argv[at + 1] ?? '') : 'cycle';
  const scenario = Object.hasOwn(SCENARIOS, name) ? SCENARIOS[name] : undefined;
  if (!scenario) {
    console.error(`[smartscale] unknown scenario "${name}": ${Object.keys(SCENARIOS).join(' or ')}`);
    process.exit(2);
  }
  let demo: Demo | undefined;
  try {
    demo = new Demo(name, scenario, argv.includes('--exit'));
    const running = demo;
    process.on('SIGINT', () => void running.shutdown(0));
    process.on('SIGTERM', () => void running.shutdown(0));
    await demo.run();
  } catch (err) {
    console.error(`[smartscale] start failed: ${(err as Error).stack ?? (err as Error).message}`);
    if (demo) await demo.shutdown(1);
    process.exit(1);
  }
}

if (require.main === module) void main();
