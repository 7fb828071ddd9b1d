// Generates docs/configuration.md from the apps' zod config schemas (CONVENTIONS §17: one source per rule),
// so that the page cannot drift from what the apps read. Names and defaults come from the schemas at run
// time; descriptions from the doc comments above each key in the source, read with the TypeScript compiler
// API because zod keeps no comments. `npm run docs:config` writes the page; configuration.spec.ts fails
// when the committed page differs from what this generates.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import { AGGREGATOR_ENV_SHAPE } from '../../apps/aggregator/src/config/aggregator.config';
import { INGEST_ENV_SHAPE } from '../../apps/ingest/src/config/ingest.config';
import { PREDICTOR_ENV_SHAPE } from '../../apps/predictor/src/config/predictor.config';
import { WORKER_ENV_SHAPE } from '../../workflows/src/config/worker.config';
import { INFRA_ENV } from '../infra/config';

export const DOC_PATH = 'docs/configuration.md';
export const COMMAND = 'npm run docs:config';

interface AppSchema {
  app: string;
  /** The file whose object literal (named `shapeName`) holds the keys and their doc comments. */
  source: string;
  shapeName: string;
  shape: z.ZodRawShape;
}

export const APPS: readonly AppSchema[] = [
  { app: 'ingest', source: 'apps/ingest/src/config/ingest.config.ts', shapeName: 'INGEST_ENV_SHAPE', shape: INGEST_ENV_SHAPE },
  {
    app: 'aggregator',
    source: 'apps/aggregator/src/config/aggregator.config.ts',
    shapeName: 'AGGREGATOR_ENV_SHAPE',
    shape: AGGREGATOR_ENV_SHAPE,
  },
  {
    app: 'predictor',
    source: 'apps/predictor/src/config/predictor.config.ts',
    shapeName: 'PREDICTOR_ENV_SHAPE',
    shape: PREDICTOR_ENV_SHAPE,
  },
  { app: 'worker', source: 'workflows/src/config/worker.config.ts', shapeName: 'WORKER_ENV_SHAPE', shape: WORKER_ENV_SHAPE },
];

/** Where spread fragments (`...kafkaEnv`) are looked up when the app's file does not declare them. */
const FRAGMENT_SOURCES = ['libs/config/src/env.ts'];

/**
 * Descriptions of keys that have no doc comment in the source and whose name does not say enough.
 * A doc comment in the config file is better (it sits beside the rule); the generator refuses an entry
 * here for a key that has one, so the two cannot disagree.
 */
const DESCRIPTIONS: Partial<Record<string, string>> = {
  SMARTSCALE_KAFKA_BROKERS: 'Bootstrap brokers, `host:port` comma-separated.',
  SMARTSCALE_WINDOW_MS: 'Tumbling window size (event time); the aggregator emits and the predictor learns one rate per window.',
  SMARTSCALE_GRACE_MS: 'How long after a window ends (stream time) its late events still count; later ones are dropped and counted.',
  SMARTSCALE_TEMPORAL_UI_URL: "Base of the Temporal UI links the control API and console give for each target's workflow.",
  SMARTSCALE_TEMPORAL_TLS_KEY_FILE: 'PEM private key of that client certificate.',
  SMARTSCALE_INGEST_BODY_LIMIT_BYTES: 'Largest request body (after gzip inflation); past it 413.',
  SMARTSCALE_EVENTS_RETENTION_MS: 'Retention of the events topic: older event times are refused, since the broker would drop them.',
  SMARTSCALE_API_KEYS:
    '`<sha256 hex of key>:svc1|svc2,<sha256 hex>:*`: keys stored hashed (a leaked config leaks no usable key) and scoped to services, sent as `X-API-Key` or `Authorization: Bearer`. Unset or empty: **no authentication** (loopback only, unless SMARTSCALE_INGEST_ALLOW_ANONYMOUS).',
  SMARTSCALE_INGEST_MAX_INFLIGHT_BYTES: 'Body bytes held by the process at once; past it 503 with Retry-After instead of buffering.',
  SMARTSCALE_AGGREGATOR_INSTANCE: "This replica's Kafka client id.",
  SMARTSCALE_PARTITION_IDLE_MS:
    'After this long without events on a partition, its stream time follows the wall clock so that the last windows close.',
  SMARTSCALE_HOPPING_WINDOW_MS: 'Hopping windows beside the tumbling ones, a multiple of SMARTSCALE_WINDOW_MS; 0 turns them off.',
  SMARTSCALE_HOPPING_ADVANCE_MS: 'Advance of the hopping windows, a multiple of SMARTSCALE_WINDOW_MS.',
  SMARTSCALE_AGGREGATOR_EVENTS_TOPIC:
    'Overridable, as the two topics below, so that integration tests and benchmarks get topics of their own on a shared broker.',
  SMARTSCALE_AGGREGATOR_METRICS_HOST: '`/health` and `/metrics` of one replica, with the port below.',
  SMARTSCALE_AGGREGATOR_METRICS_PORT:
    '0: no HTTP server. Off by default because the local scaler runs its replicas on one host (they would share the port); containers and pods set it so that Prometheus can scrape `/metrics`.',
  SMARTSCALE_AGGREGATOR_BATCHES_TOPIC: 'Where the `BatchMetric` of each transaction goes (benchmarks use their own).',
  SMARTSCALE_BATCH_MODE:
    '`adaptive` (an AIMD controller moves the two settings below inside their bounds, [micro-batching](design/micro-batching.md)) or `fixed`.',
  SMARTSCALE_COMMIT_INTERVAL_MS: 'One transaction per partition at most this often: the fixed value, or where adaptive starts.',
  SMARTSCALE_BATCH_RECORDS: 'Records per processing step: the fixed value, or where adaptive starts.',
  SMARTSCALE_BATCH_MIN_INTERVAL_MS: 'Adaptive: lower bound of the commit interval.',
  SMARTSCALE_BATCH_MAX_INTERVAL_MS: 'Adaptive: upper bound of the commit interval.',
  SMARTSCALE_BATCH_MIN_RECORDS: 'Adaptive: lower bound of the records per step.',
  SMARTSCALE_BATCH_MAX_RECORDS: 'Adaptive: upper bound of the records per step.',
  SMARTSCALE_BATCH_TARGET_LATENCY_MS: 'Adaptive: estimated event → result latency over which it trades latency for throughput.',
  SMARTSCALE_BATCH_CAUGHT_UP_LAG: 'Adaptive: lag (records, per partition) counted as caught up.',
  SMARTSCALE_BATCH_CALM_BATCHES: 'Adaptive: idle batches in a row before a step down.',
  SMARTSCALE_BATCH_RECORDING:
    'Per-batch histograms on `/metrics` and a `BatchMetric` per transaction on the batches topic; off only to measure their cost.',
  SMARTSCALE_PREDICTOR_MAX_HORIZON: 'Longest forecast, in windows, that `GET /forecast` may ask for.',
  SMARTSCALE_PREDICTOR_INSTANCE: "This process's Kafka client id.",
  SMARTSCALE_ROOT: 'The directory relative paths (targets file, bundle, local scaler, `pglite:` history) are resolved against.',
  SMARTSCALE_PREDICTOR_URL: 'Where the worker asks for forecasts.',
  SMARTSCALE_TARGETS_FILE: 'Targets and their policies ([targets](targets.md)).',
  SMARTSCALE_WORKFLOW_BUNDLE: 'A prebuilt workflow bundle; unset, the worker bundles the workflows at boot.',
  SMARTSCALE_LOCAL_SCALER_ENTRY: 'The script each replica of a `local` target runs (an aggregator).',
  SMARTSCALE_LOCAL_SCALER_STATE_DIR:
    "Where the local scaler persists each target's replica count (`scaler-<target>.json`), so that a restarted worker brings its processes back.",
  SMARTSCALE_HISTORY_RETENTION_HOURS: 'Older decisions, windows and batches are pruned hourly.',
};

/** Read outside the apps' schemas, by the scripts that run the local stack: tools/infra's from its own table; keep the rest in step with tools/dev. */
export const TOOL_VARIABLES: readonly { name: string; default: string; readBy: string; description: string }[] = [
  ...INFRA_ENV.map((v) => ({ name: v.name, default: String(v.default), readBy: '`tools/infra`', description: v.description })),
  {
    name: 'SMARTSCALE_DEMO_STEPS',
    default: "the scenario's (spike: `15:45,130:90,15:165`)",
    readBy: '`npm start`',
    description: 'The demo traffic: `rate:seconds`, comma-separated.',
  },
];

/** What the variable is set to when absent: the raw environment string, before any transform (the brokers list shows as written). */
export function defaultOf(schema: z.core.$ZodType): string {
  if (schema instanceof z.ZodOptional) return 'unset';
  if (schema instanceof z.ZodDefault) return show(schema.def.defaultValue);
  if (schema instanceof z.ZodPipe) return defaultOf(schema.in);
  return 'required';
}

function show(value: unknown): string {
  // Defaults computed per process would make the page change on every run.
  const s = String(value).replaceAll(String(process.pid), '<pid>');
  return s === process.cwd() ? 'the working directory' : s;
}

/** Leading `/** … *\/` comments of every key of the named object literals, spreads followed to fragments. */
export function docComments(root: string, apps: readonly AppSchema[] = APPS): Map<string, string> {
  const docs = new Map<string, string>();
  const objects = new Map<string, { file: ts.SourceFile; literal: ts.ObjectLiteralExpression }[]>();
  for (const path of [...new Set([...apps.map((a) => a.source), ...FRAGMENT_SOURCES])]) {
    const file = ts.createSourceFile(path, readFileSync(join(root, path), 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isVariableDeclaration(node) &&
        ts.isIdentifier(node.name) &&
        node.initializer &&
        ts.isObjectLiteralExpression(node.initializer)
      ) {
        objects.set(node.name.text, [...(objects.get(node.name.text) ?? []), { file, literal: node.initializer }]);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  const seen = new Set<string>();
  const read = (name: string): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const found = objects.get(name);
    if (!found) throw new Error(`object literal ${name} not found in ${[...apps.map((a) => a.source), ...FRAGMENT_SOURCES].join(', ')}`);
    for (const { file, literal } of found) {
      for (const p of literal.properties) {
        if (ts.isSpreadAssignment(p) && ts.isIdentifier(p.expression)) read(p.expression.text);
        else if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) {
          const text = jsDocOf(file, p);
          if (text) docs.set(p.name.text, text);
        }
      }
    }
  };
  for (const a of apps) read(a.shapeName);
  return docs;
}

function jsDocOf(file: ts.SourceFile, node: ts.Node): string | undefined {
  const ranges = ts.getLeadingCommentRanges(file.text, node.getFullStart()) ?? [];
  const docs = ranges.map((r) => file.text.slice(r.pos, r.end)).filter((c) => c.startsWith('/**'));
  const last = docs.at(-1);
  if (!last) return undefined;
  return last
    .replace(/^\/\*\*|\*\/$/g, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
    .filter(Boolean)
    .join(' ');
}

interface Variable {
  name: string;
  default: string;
  apps: string[];
  description: string;
}

export function collectVariables(root: string): Variable[] {
  const comments = docComments(root);
  const byName = new Map<string, Variable>();
  for (const { app, shape } of APPS) {
    for (const [name, schema] of Object.entries(shape)) {
      const known = byName.get(name);
      const value = defaultOf(schema);
      if (known) {
        if (known.default !== value)
          throw new Error(`${name}: default ${known.default} in ${known.apps.join(', ')} but ${value} in ${app}`);
        known.apps.push(app);
        continue;
      }
      const comment = comments.get(name);
      const written = DESCRIPTIONS[name];
      if (comment && written)
        throw new Error(`${name} has a doc comment in the source: remove its entry from DESCRIPTIONS in tools/docs/configuration.ts`);
      byName.set(name, { name, default: value, apps: [app], description: comment ?? written ?? '' });
    }
  }
  const unknown = Object.keys(DESCRIPTIONS).filter((n) => !byName.has(n));
  if (unknown.length) throw new Error(`DESCRIPTIONS names variables no schema has: ${unknown.join(', ')}`);
  return [...byName.values()];
}

const cell = (s: string): string => s.replaceAll('|', '\\|').replaceAll('\n', ' ');
const code = (s: string): string =>
  s === 'unset' || s === 'required' || s === 'the working directory' ? s : s === '' ? '`""` (empty)' : `\`${s}\``;

function table(rows: Variable[], withApps: boolean): string[] {
  const head = withApps
    ? ['| variable | default | read by | description |', '|---|---|---|---|']
    : ['| variable | default | description |', '|---|---|---|'];
  return [
    ...head,
    ...rows.map((v) => `| \`${v.name}\` | ${cell(code(v.default))} |${withApps ? ` ${v.apps.join(', ')} |` : ''} ${cell(v.description)} |`),
  ];
}

export function renderConfiguration(root: string): string {
  const variables = collectVariables(root);
  const shared = variables.filter((v) => v.apps.length > 1);
  const lines = [
    '# Configuration',
    '',
    `<!-- Generated by \`${COMMAND}\` (tools/docs/configuration.ts) from the apps' zod config schemas and the doc`,
    '     comments above their keys. Do not edit by hand: change the schema or its comment and run the command;',
    '     tools/docs/configuration.spec.ts fails when this page and the schemas differ. -->',
    '',
    'Every app reads its environment once at boot through a zod schema and fails fast listing every bad',
    'variable (`apps/*/src/config/*.config.ts`, `workflows/src/config/worker.config.ts`, shared pieces in',
    '`libs/config`). `docker-compose.yml` uses the same variables; a test checks that. "unset" means the',
    'variable is optional and has no default. Targets and their policies are not environment variables:',
    'see [targets](targets.md).',
    '',
    '## Shared by several apps',
    '',
    ...table(shared, true),
  ];
  for (const { app } of APPS) {
    lines.push(
      '',
      `## ${app}`,
      '',
      ...table(
        variables.filter((v) => v.apps.length === 1 && v.apps[0] === app),
        false,
      ),
    );
  }
  lines.push(
    '',
    '## Local scripts',
    '',
    'Read by the scripts that run the local stack, not by the apps (hand-written in `TOOL_VARIABLES` of tools/docs/configuration.ts).',
    '',
    '| variable | default | read by | description |',
    '|---|---|---|---|',
    ...TOOL_VARIABLES.map(
      (v) => `| \`${v.name}\` | ${v.default.startsWith('the ') ? v.default : `\`${v.default}\``} | ${v.readBy} | ${cell(v.description)} |`,
    ),
    '',
  );
  return lines.join('\n');
}

/** The repository root: the nearest directory up from here with a tsconfig.json (here is tools/docs or dist/tools/docs). */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'tsconfig.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no tsconfig.json above ${from}`);
  }
}

if (require.main === module) {
  const root = repoRoot();
  writeFileSync(join(root, DOC_PATH), renderConfiguration(root));
  console.log(`wrote ${DOC_PATH}`);
}
