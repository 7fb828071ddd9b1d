'use strict';
// `npm start`: installs what is missing, starts Kafka, the Temporal dev server and the apps, plays a
// demo scenario, and prints what to watch. Ctrl-C stops everything this run started.
//   npm start                           a recurring load (a 110 s cycle, four rises, with noise): the
//                                       predictor finds the cycle itself and, from the third rise on,
//                                       the scale-up lands before the load rises (about 10 minutes)
//   npm start -- --scenario spike       one spike: 15 → 130 → 15 events/s, scale up and back down
//   npm start -- --scenario idle-burst  the aggregator group goes to zero when idle and wakes on bursts
//   npm start -- --scenario otlp        the spike's steps sent as OpenTelemetry SERVER spans (OTLP/HTTP
//                                       protobuf to /v1/traces), as an instrumented service's exporter would
//   npm start -- --exit                 stop everything once the demo traffic has finished
const fs = require('node:fs');
const path = require('node:path');
const { REPO, log, secs, ensureNodeModules, build, appEnv, startDetached, stopGroup, waitForHttp } = require('./common');
const { risesOf, riseLeads, leadLine, cycleSteps, stepsSpec, median } = require('./spikes');

/**
 * Each scenario has its own target, task queue and aggregator group, so that switching scenarios never
 * leaves one's controller driving the other's replicas.
 */
const SCENARIOS = {
  // Its own service, so that the predictor's replay of older windows (tests, other scenarios) is not
  // the same series; no configured periods (SMARTSCALE_PREDICTOR_PERIODS empty): the cycle is found.
  cycle: {
    target: 'cycle', service: 'storefront', targets: 'workflows/config/targets.cycle.json', queue: 'smartscale-controller-cycle', group: 'smartscale-aggregator-cycle',
    steps: stepsSpec(cycleSteps({ low: 15, high: 100, lowSeconds: 70, highSeconds: 40, cycles: 4, noise: 0.15 })), env: { SMARTSCALE_PREDICTOR_PERIODS: '' },
  },
  spike: { target: 'demo', steps: '15:45,130:90,15:165', targets: 'workflows/config/targets.demo.json', queue: 'smartscale-controller', group: 'smartscale-aggregator' },
  'idle-burst': {
    target: 'idle-burst', steps: '0:20,60:40,0:150,60:40,0:150', targets: 'workflows/config/targets.idle-burst.json',
    queue: 'smartscale-controller-idle-burst', group: 'smartscale-aggregator-idle-burst',
  },
  otlp: {
    target: 'otlp-demo', steps: '15:45,130:90,15:165', targets: 'workflows/config/targets.otlp.json',
    queue: 'smartscale-controller-otlp', group: 'smartscale-aggregator-otlp', protocol: 'otlp',
  },
};
const scenarioArg = process.argv.indexOf('--scenario');
const SCENARIO_NAME = scenarioArg > 0 ? process.argv[scenarioArg + 1] : 'cycle';
const EXIT_WHEN_DONE = process.argv.includes('--exit');
const SCENARIO = SCENARIOS[SCENARIO_NAME];
if (!SCENARIO) {
  console.error(`[smartscale] unknown scenario "${SCENARIO_NAME}": ${Object.keys(SCENARIOS).join(' or ')}`);
  process.exit(2);
}
const DEMO_TARGET = SCENARIO.target;
const DEMO_GROUP = SCENARIO.group;
const DEMO_SERVICE = SCENARIO.service ?? 'checkout';
const EVENTS_TOPIC = 'smartscale.events.v1';
const DEMO_STEPS = process.env.SMARTSCALE_DEMO_STEPS || SCENARIO.steps;
// What the pipeline allows a reactive controller at worst: the window must close, wait out its grace,
// and the next tick must see it (the demo targets tick every 5 s: workflows/config/targets.*.json).
const PIPELINE_FLOOR_S = (Number(process.env.SMARTSCALE_WINDOW_MS || 10_000) + Number(process.env.SMARTSCALE_GRACE_MS || 2_000) + 5_000) / 1000;
const ports = {
  ingest: Number(process.env.SMARTSCALE_INGEST_PORT || 3000),
  predictor: Number(process.env.SMARTSCALE_PREDICTOR_PORT || 3002),
  control: Number(process.env.SMARTSCALE_CONTROL_PORT || 3003),
};
const url = (port, p = '') => `http://127.0.0.1:${port}${p}`;

const children = [];
let infraStarted = false;
let stopping = null;

async function main() {
  const t0 = Date.now();
  ensureNodeModules();
  const infra = require('../infra/infra.js');
  const up = await infra.up();
  infraStarted = !up.kafka.reused || !up.temporal.reused;
  build();
  const cfg = infra.config();
  const env = {
    ...appEnv(cfg),
    SMARTSCALE_PREDICTOR_URL: url(ports.predictor),
    SMARTSCALE_INGEST_PORT: String(ports.ingest),
    SMARTSCALE_PREDICTOR_PORT: String(ports.predictor),
    SMARTSCALE_CONTROL_PORT: String(ports.control),
    SMARTSCALE_TARGETS_FILE: SCENARIO.targets,
    SMARTSCALE_TASK_QUEUE: SCENARIO.queue,
    SMARTSCALE_AGGREGATOR_GROUP: DEMO_GROUP,
    ...SCENARIO.env,
  };
  const logs = path.join(REPO, '.smartscale', 'run');
  fs.mkdirSync(logs, { recursive: true });
  await demoFromNow(cfg.kafka.brokers);
  children.push(startDetached('ingest', ['dist/apps/ingest/src/main.js'], env, logs));
  children.push(startDetached('predictor', ['dist/apps/predictor/src/main.js'], env, logs));
  children.push(startDetached('worker', ['dist/workflows/src/main.js'], env, logs));
  for (const c of children) c.once('exit', (code) => !stopping && log(`a child exited early (code ${code}); see ${logs}/*.log`));
  await Promise.all([
    waitForHttp(url(ports.ingest, '/health'), 60_000, 'ingest'),
    waitForHttp(url(ports.predictor, '/health'), 60_000, 'predictor'),
    waitForHttp(url(ports.control, '/health'), 90_000, 'worker'),
  ]);
  log(`ready in ${secs(t0)}`);
  printUrls(cfg);
  const { parseSteps } = require(path.join(REPO, 'dist/tools/loadgen/shapes.js'));
  const steps = parseSteps(DEMO_STEPS);
  const watcher = setInterval(() => void watch(), 5_000);
  rises = risesOf(steps, Date.now());
  const protocol = SCENARIO.protocol || 'events';
  const demo = startDetached('loadgen', ['dist/tools/loadgen/main.js', '--url', url(ports.ingest), '--protocol', protocol, '--service', DEMO_SERVICE, '--shape', 'steps', '--steps', DEMO_STEPS, '--quiet'], env, logs);
  children.push(demo);
  const what = SCENARIO_NAME === 'cycle' && DEMO_STEPS === SCENARIO.steps ? 'a 110 s cycle: 40 s at ~100, 70 s at ~15, ±15 % noise' : DEMO_STEPS;
  log(`scenario ${SCENARIO_NAME}: ${what} (${protocol === 'otlp' ? 'OTLP spans/s to /v1/traces' : 'events/s'}:seconds), ${rises.length} rise(s) in ${steps.reduce((sum, x) => sum + x.seconds, 0)} s ` +
    `for service "${DEMO_SERVICE}"; target "${DEMO_TARGET}" decides every 5 s`);
  await new Promise((resolve) => demo.once('exit', resolve));
  clearInterval(watcher);
  if (stopping) return;
  await watch();
  // The workflow keeps its last 50 decisions: each rise's lead was taken when it landed.
  const leads = rises.map((_, i) => reported.get(i) ?? null);
  const before = leads.filter((t) => t !== null && t < 0).length;
  log(`rises → scale-up applied: ${leads.map((t) => (t === null ? 'none' : `${t < 0 ? '' : '+'}${t.toFixed(1)} s`)).join(', ')} (negative: before the load rose); ` +
    `${before} of ${leads.length} before; median ${median(leads)?.toFixed(1) ?? '–'} s (reactive worst case: window + grace + tick = +${PIPELINE_FLOOR_S} s)`);
  if (EXIT_WHEN_DONE) return shutdown(0);
  log('demo traffic finished. Everything keeps running so you can look around; Ctrl-C stops it all.');
}

/**
 * Events left on the topic by tests or earlier runs would be a backlog the demo's aggregators first have
 * to drain (and the controller would rightly scale for it): the demo's group starts at the topic's end.
 */
async function demoFromNow(brokers) {
  const { Kafka, logLevel } = require('kafkajs');
  const admin = new Kafka({ brokers: [brokers], clientId: 'smartscale-start', logLevel: logLevel.NOTHING }).admin();
  try {
    await admin.connect();
    if (!(await admin.listTopics()).includes(EVENTS_TOPIC)) return;
    const ends = await admin.fetchTopicOffsets(EVENTS_TOPIC);
    await admin.setOffsets({ groupId: DEMO_GROUP, topic: EVENTS_TOPIC, partitions: ends.map((p) => ({ partition: p.partition, offset: p.high })) });
  } catch (err) {
    log(`demo: the aggregator group stays where it was (${err.message}); older events are processed first`);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

function printUrls(cfg) {
  const wf = `${cfg.temporal.uiUrl}/namespaces/default/workflows/${encodeURIComponent(`scaler/${DEMO_TARGET}`)}`;
  console.log(`
  Ingest API + OpenAPI     ${url(ports.ingest, '/docs')}
  Predictor                ${url(ports.predictor, `/v1/forecast/${DEMO_SERVICE}?horizon=3`)}
  Live console             ${url(ports.control, '/console')}
  Control API              ${url(ports.control, '/v1/targets')}   (OpenAPI at /docs)
  Temporal Web UI          ${cfg.temporal.uiUrl}
  The demo's workflow      ${wf}
  Metrics                  ${url(ports.ingest, '/metrics')}  ${url(ports.predictor, '/metrics')}  ${url(ports.control, '/metrics')}
  Logs                     .smartscale/run/*.log

  Pause and resume from another terminal:
    curl -XPOST ${url(ports.control, `/v1/targets/${DEMO_TARGET}/pause`)} -H 'content-type: application/json' -d '{"reason":"looking"}'
    .smartscale/temporal/bin/temporal workflow signal -w scaler/${DEMO_TARGET} --name resume --address ${cfg.temporal.address}
`);
}

let rises = [];
/** Rise index → seconds from the rise to its applied scale-up (negative: before), kept as each one lands. */
const reported = new Map();
/** Decisions already told about (scale-ins). */
const told = new Set();

async function decisions() {
  try {
    const res = await fetch(url(ports.control, `/v1/targets/${DEMO_TARGET}/decisions`), { signal: AbortSignal.timeout(3_000) });
    return res.ok ? await res.json() : [];
  } catch {
    return []; // the worker is restarting or stopping: the watcher says so
  }
}

const reason = (d, code) => d.reasons?.find((r) => r.code === code)?.message;

/**
 * One line per rise once its scale-up is known (a scale-up before the rise is final once the rise
 * has come), naming the forecast quantile and periods it planned with; one line per scale-in.
 */
async function reportRises() {
  const all = await decisions();
  const now = Date.now();
  riseLeads(rises, all).forEach((lead, i) => {
    if (reported.has(i) || now < rises[i].at) return;
    const rise = `rise ${i + 1} (${rises[i].from} → ${rises[i].to} ev/s)`;
    if (lead !== null) {
      reported.set(i, lead.seconds);
      log(`${rise}: ${leadLine(lead.seconds)} | ${reason(lead.decision, 'forecast') ?? reason(lead.decision, 'reactive-fallback') ?? ''}`);
    } else if (now >= rises[i].until) {
      // Still at the replicas of the previous rise: nothing was scaled in, so nothing had to come back.
      reported.set(i, null);
      log(`${rise}: no scale-up: the replicas of the previous rise were still there (no scale-in in between)`);
    }
  });
  for (const d of all.filter((x) => x.applied && x.action === 'down' && !told.has(x.seq))) {
    told.add(d.seq);
    log(`scale-in ${d.from} → ${d.to}: ${reason(d, 'scale-in') ?? ''} | ${reason(d, 'forecast') ?? reason(d, 'reactive-fallback') ?? ''}`);
  }
}

let lastLine = '';
async function watch() {
  try {
    const s = await (await fetch(url(ports.control, `/v1/targets/${DEMO_TARGET}`), { signal: AbortSignal.timeout(3_000) })).json();
    const d = s.lastDecision;
    const obs = d?.inputs?.observedEventsPerSecond;
    const fc = d?.inputs?.forecastPeakEventsPerSecond;
    const line = `replicas ${s.currentReplicas ?? '?'} → ${s.desiredReplicas ?? '?'}${s.paused ? ` (paused: ${s.paused.reason})` : ''} | load ${obs == null ? '–' : obs.toFixed(1)} ev/s, forecast peak ${fc == null ? '–' : fc.toFixed(1)} ev/s | #${d?.seq ?? 0} ${d?.action ?? ''}: ${d?.reasons?.map((r) => r.code).join(', ') ?? ''}`;
    if (line !== lastLine) log(line);
    lastLine = line;
    await reportRises();
  } catch (err) {
    log(`control API not answering: ${err.message}`);
  }
}

async function shutdown(code) {
  stopping ??= (async () => {
    log('stopping…');
    await Promise.all(children.map((c) => stopGroup(c)));
    if (infraStarted) await require('../infra/infra.js').stop();
    else log('Kafka and Temporal were already running before this run: left running');
    log('stopped');
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
main().catch((err) => {
  console.error(`[smartscale] start failed: ${err.stack || err.message}`);
  void shutdown(1);
});
