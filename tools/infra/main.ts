/*
 * The infra CLI: `node dist/tools/infra/main.js <command>`.
 *   install | up | stop | status      the local Kafka broker and Temporal dev server
 *   ops-tools                          Helm and promtool into .smartscale/ops-tools/bin/
 *   otelcol                            the OpenTelemetry Collector into .smartscale/otelcol/bin/
 *   kube build|start|stop|status      kube-apiserver and etcd: build once, start a throw-away server, stop all
 */
import { kubeStatus, ensureKubeApiserver, startKubeApiserver, stopKubeApiservers } from './kube-apiserver';
import { ensureOpsTools } from './ops-tools';
import { ensureOtelcol } from './otelcol';
import { install, status, stop, up } from './stack';
import { logger, secs } from './util';

const log = logger('infra');

const COMMANDS: Record<string, (args: string[]) => Promise<unknown>> = {
  install,
  up,
  stop,
  status,
  'ops-tools': async () => {
    const found = ensureOpsTools();
    log(`helm: ${found.helm}`);
    log(`promtool: ${found.promtool}`);
  },
  otelcol: async () => log(`otelcol: ${ensureOtelcol().otelcol}`),
  kube: async ([sub]) => {
    if (sub === 'build') return log(`kube-apiserver: ${ensureKubeApiserver().apiserver}`);
    if (sub === 'stop') return stopKubeApiservers();
    if (sub === 'status') return kubeStatus();
    if (sub === 'start') {
      const s = await startKubeApiserver('cli');
      log(`ready in ${(s.startMs / 1000).toFixed(1)} s at ${s.server}`);
      return console.log(`KUBECONFIG=${s.kubeconfig}`);
    }
    throw new Error('usage: kube build|start|stop|status');
  },
};

const [command, ...rest] = process.argv.slice(2);
const run = COMMANDS[command ?? ''];
if (!run) {
  console.error(`usage: node dist/tools/infra/main.js ${Object.keys(COMMANDS).join('|')}`);
  process.exit(2);
}
const t0 = Date.now();
run(rest).then(
  () => log(`${[command, ...rest].join(' ')} done in ${secs(t0)}`),
  (err: Error) => {
    console.error(`[infra] ${command} failed after ${secs(t0)}: ${err.message}`);
    process.exit(1);
  },
);
