'use strict';
// `npm test`: installs what it needs, starts (or reuses) Kafka and the Temporal dev server, builds,
// type-checks, lints, and runs the unit, workflow and integration tests. Stops what it started.
const { log, secs, ensureNodeModules, run, build, appEnv } = require('./common');

async function main() {
  const t0 = Date.now();
  ensureNodeModules();
  // Helm and promtool for the deploy/ specs: built or installed once into .smartscale/ops-tools/.
  require('../infra/ops-tools.js').ensureAll();
  // kube-apiserver and etcd for test/kubernetes: built once into .smartscale/kube/; each test file starts its own.
  require('../infra/kube-apiserver.js').ensureBuilt();
  // The OpenTelemetry Collector (OTLP receiver, batch, OTLP/HTTP exporter) for test/otlp: built once into .smartscale/otelcol/.
  require('../infra/otelcol.js').ensureBuilt();
  const infra = require('../infra/infra.js');
  const up = await infra.up();
  const started = !up.kafka.reused || !up.temporal.reused;
  let failed = null;
  try {
    build();
    const env = appEnv(infra.config());
    // PGlite (the local SQL history) loads Node built-ins with import(), which Jest runs only with VM modules.
    const jestEnv = { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --experimental-vm-modules --disable-warning=ExperimentalWarning`.trim() };
    for (const [name, cmd, args] of [
      ['type-check', 'npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']],
      ['lint', 'npx', ['eslint', '--max-warnings', '0', '.']],
      ['unit + workflow tests', 'npx', ['jest', '--selectProjects', 'unit', 'workflow']],
      ['integration tests', 'npx', ['jest', '--selectProjects', 'integration', '--runInBand']],
    ]) {
      const t = Date.now();
      log(`${name}…`);
      run(cmd, args, args[0] === 'jest' ? jestEnv : env);
      log(`${name} passed in ${secs(t)}`);
    }
  } catch (err) {
    failed = err;
  } finally {
    if (started) await infra.stop();
  }
  if (failed) throw failed;
  log(`all checks passed in ${secs(t0)}`);
}

main().catch((err) => {
  console.error(`[smartscale] npm test failed: ${err.message}`);
  process.exit(1);
});
