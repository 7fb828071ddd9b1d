// `npm test`: builds what the tests need once (Helm and promtool, kube-apiserver and etcd, the
// OpenTelemetry Collector), starts (or reuses) Kafka and the Temporal dev server, type-checks, lints,
// and runs the unit, workflow and integration tests. Stops what it started. node_modules and dist/ are
// already there: tools/bootstrap.js installs and builds before it runs this.
import * as infra from '../infra';
import { appEnv, log, run } from './processes';

const USAGE = `usage: npm test
  Builds the test binaries once into .smartscale/, starts (or reuses) Kafka and Temporal, then runs
  type-check, lint, format check (Prettier), unit + workflow tests and integration tests; stops only what it started.`;

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(USAGE);
  try {
    await checks();
  } catch (err) {
    console.error(`[smartscale] npm test failed: ${(err as Error).message}`);
    process.exit(1);
  }
}

async function checks(): Promise<void> {
  const t0 = Date.now();
  // Helm and promtool for the deploy/ specs: built or installed once into .smartscale/ops-tools/.
  infra.ensureOpsTools();
  // kube-apiserver and etcd for test/kubernetes: built once into .smartscale/kube/; each test file starts its own.
  infra.ensureKubeApiserver();
  // The OpenTelemetry Collector (OTLP receiver, batch, OTLP/HTTP exporter) for test/otlp: built once into .smartscale/otelcol/.
  infra.ensureOtelcol();
  const up = await infra.up();
  const started = !up.kafka.reused || !up.temporal.reused;
  try {
    const env = appEnv(infra.config());
    // PGlite (the local SQL history) loads Node built-ins with import(), which Jest runs only with VM modules.
    const jestEnv = { ...env, NODE_OPTIONS: '--experimental-vm-modules --disable-warning=ExperimentalWarning' };
    const steps: [name: string, args: string[]][] = [
      ['type-check', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
      ['type-check of the console script (DOM)', ['tsc', '--noEmit', '-p', 'workflows/src/console/public']],
      ['lint', ['eslint', '--max-warnings', '0', '.']],
      ['format check', ['prettier', '--check', '--log-level', 'warn', '.']],
      ['unit + workflow tests', ['jest', '--selectProjects', 'unit', 'workflow']],
      // --forceExit: a run whose tests all passed once hung after them on a leaked Kafka connection and
      // two half-closed HTTP sockets (docs/testing.md); the exit code still reports every failure.
      ['integration tests', ['jest', '--selectProjects', 'integration', '--runInBand', '--forceExit']],
    ];
    for (const [name, args] of steps) {
      const t = Date.now();
      log(`${name}…`);
      run('npx', args, args[0] === 'jest' ? jestEnv : env);
      log(`${name} passed in ${infra.secs(t)}`);
    }
  } finally {
    if (started) await infra.stop();
  }
  log(`all checks passed in ${infra.secs(t0)}`);
}

if (require.main === module) void main();
