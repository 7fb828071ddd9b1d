import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '@smartscale/testing';
import { loadTargets } from '../../workflows/src/config/targets';
import { accessRefusal } from '../../workflows/src/control/control-access.guard';
import { loadWorkerConfig } from '../../workflows/src/config/worker.config';
import { AppName, APP_NAMES, loadAppConfig, sourceOfEntry, unknownVariables } from '../../test/support/deploy/app-config';
import { composeServices } from '../../test/support/deploy/compose-file';
import { opsTool } from '../../test/support/deploy/ops-tools';

// The chart, rendered by a real Helm (built by tools/infra, ops-tools.ts) and checked against the apps
// the way compose.spec.ts checks compose: entry points exist, every variable is one the app reads and
// accepts, ports and probes are the ones the app serves, plus the scaler's least-privilege RBAC.
const CHART = join(REPO_ROOT, 'deploy/helm/smartscale');
const TEST_VALUES = join(CHART, 'ci/test-values.yaml');
const RELEASE = 'smartscale';
const NAMESPACE = 'smartscale';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string }; secretKeyRef?: { name: string; key: string; optional?: boolean } };
}
interface Container {
  command: string[];
  env: EnvVar[];
  ports: { name: string; containerPort: number }[];
  volumeMounts?: { name: string; mountPath: string }[];
  readinessProbe: { httpGet?: { path: string; port: string } };
  startupProbe: { httpGet?: { path: string; port: string } };
  livenessProbe: object;
}
interface Manifest {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec: Record<string, unknown> & {
    template?: {
      spec: {
        containers: Container[];
        serviceAccountName?: string;
        automountServiceAccountToken?: boolean;
        volumes?: { name: string; configMap?: { name: string } }[];
      };
    };
  };
  data?: Record<string, string>;
  stringData?: Record<string, string>;
  rules?: unknown[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
}

/** The two values the chart cannot guess, and the API keys ingest needs on 0.0.0.0. */
const REQUIRED = ['--set', 'kafka.brokers=k:9092', '--set', 'temporal.address=t:7233', '--set', `secrets.apiKeys=${'ab'.repeat(32)}:*`];
const helm = (args: string[]): string => execFileSync(opsTool('helm'), args, { encoding: 'utf8', stdio: 'pipe' });
const render = (...args: string[]): Manifest[] =>
  parseAllDocuments(helm(['template', RELEASE, CHART, '--namespace', NAMESPACE, ...args]))
    .map((d) => d.toJSON() as Manifest | null)
    .filter((m): m is Manifest => m !== null);

let manifests: Manifest[];
const find = (kind: string, name: string): Manifest => {
  const m = manifests.find((x) => x.kind === kind && x.metadata.name === name);
  if (!m) throw new Error(`no ${kind} ${name} rendered`);
  return m;
};
const containerOf = (app: AppName): Container => find('Deployment', `${RELEASE}-${app}`).spec.template!.spec.containers[0];
const testValues = parse(readFileSync(TEST_VALUES, 'utf8')) as { secrets: Record<string, string> };
const SECRET_VALUES: Record<string, string> = {
  'api-keys': testValues.secrets.apiKeys,
  'control-token': testValues.secrets.controlToken,
  'webhook-secret': testValues.secrets.webhookSecret,
};

/** The environment the pod would see: literal values, the pod name for fieldRefs, the chart's Secret values. */
function podEnv(c: Container): Record<string, string> {
  return Object.fromEntries(
    c.env.map((e) => [
      e.name,
      e.value ?? (e.valueFrom?.fieldRef ? `${RELEASE}-pod-0` : SECRET_VALUES[e.valueFrom?.secretKeyRef?.key ?? '']),
    ]),
  );
}

beforeAll(() => {
  manifests = render('--values', TEST_VALUES);
});

describe('deploy/helm/smartscale', () => {
  it('passes helm lint --strict with its test values and with the defaults plus the two required values', () => {
    expect(helm(['lint', '--strict', CHART, '--values', TEST_VALUES])).toContain('0 chart(s) failed');
    expect(helm(['lint', '--strict', CHART, ...REQUIRED])).toContain('0 chart(s) failed');
  });

  it('refuses to render without the Kafka brokers or the Temporal address, saying which', () => {
    expect(() => render()).toThrow(/kafka\.brokers is required/);
    expect(() => render('--set', 'kafka.brokers=k:9092')).toThrow(/temporal\.address is required/);
    expect(() => render('--set', 'kafka.brokers=k:9092', '--set', 'temporal.address=t:7233')).toThrow(
      /ingest listens on 0\.0\.0\.0 and needs API keys: set secrets\.apiKeys/,
    );
  });

  it.each(APP_NAMES)('runs %s with an entry point that the build produces', (app) => {
    const command = containerOf(app).command;
    expect(command[0]).toBe('node');
    expect(existsSync(join(REPO_ROOT, sourceOfEntry(command[1])))).toBe(true);
  });

  it.each(APP_NAMES)('gives %s only variables its config reads, with values it accepts', (app) => {
    const env = podEnv(containerOf(app));
    expect(unknownVariables(app, env)).toEqual([]);
    expect(() => loadAppConfig(app, env)).not.toThrow();
    // YAML numbers pass through Go templates as floats: 6.048e+08 would be a trap for any stricter parser.
    expect(Object.values(env).filter((v) => /^\d+(\.\d+)?e[+-]?\d+$/i.test(v))).toEqual([]);
  });

  it.each(APP_NAMES)('sets %s every variable that docker-compose.yml sets for it', (app) => {
    const helmVars = new Set(containerOf(app).env.map((e) => e.name));
    expect(Object.keys(composeServices()[app].environment ?? {}).filter((v) => !helmVars.has(v))).toEqual([]);
  });

  it.each(APP_NAMES)('exposes the port %s listens on on all interfaces, through its Service, and probes /health there', (app) => {
    const c = containerOf(app);
    const env = podEnv(c);
    const config = loadAppConfig(app, env);
    expect(c.ports).toEqual([{ name: 'http', containerPort: config.http?.port, protocol: 'TCP' }]);
    expect(config.http?.host).toBe('0.0.0.0');
    expect(c.readinessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    expect(c.startupProbe.httpGet).toEqual({ path: '/health', port: 'http' });
    const service = find('Service', `${RELEASE}-${app}`);
    expect(service.spec.ports).toEqual([{ name: 'http', port: config.http?.port, targetPort: 'http', protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual((find('Deployment', `${RELEASE}-${app}`).spec.selector as { matchLabels: object }).matchLabels);
  });

  it('points the worker at the predictor Service and the aggregator group, and mounts targets that the worker accepts', () => {
    const c = containerOf('worker');
    const env = podEnv(c);
    expect(env.SMARTSCALE_PREDICTOR_URL).toBe(
      `http://${RELEASE}-predictor:${loadAppConfig('predictor', podEnv(containerOf('predictor'))).http?.port}`,
    );
    expect(env.SMARTSCALE_AGGREGATOR_GROUP).toBe(podEnv(containerOf('aggregator')).SMARTSCALE_AGGREGATOR_GROUP);
    expect(podEnv(containerOf('aggregator')).SMARTSCALE_WINDOW_MS).toBe(podEnv(containerOf('predictor')).SMARTSCALE_WINDOW_MS);

    const pod = find('Deployment', `${RELEASE}-worker`).spec.template!.spec;
    const mount = c.volumeMounts?.find((m) => env.SMARTSCALE_TARGETS_FILE.startsWith(`${m.mountPath}/`));
    const configMap = find('ConfigMap', pod.volumes?.find((v) => v.name === mount?.name)?.configMap?.name ?? '');
    const dir = mkdtempSync(join(tmpdir(), 'smartscale-helm-'));
    try {
      const file = join(dir, 'targets.json');
      writeFileSync(file, configMap.data?.[env.SMARTSCALE_TARGETS_FILE.slice(mount!.mountPath.length + 1)] ?? '');
      expect(loadTargets(file).map((t) => [t.id, t.scaler.kind])).toEqual([['aggregator', 'kubernetes']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives the worker, and only the worker, a ServiceAccount allowed get and patch on deployments/scale and statefulsets/scale, nothing more', () => {
    const worker = find('Deployment', `${RELEASE}-worker`).spec.template!.spec;
    const sa = find('ServiceAccount', worker.serviceAccountName ?? '');
    for (const app of APP_NAMES.filter((a) => a !== 'worker')) {
      const pod = find('Deployment', `${RELEASE}-${app}`).spec.template!.spec;
      expect([pod.serviceAccountName, pod.automountServiceAccountToken]).toEqual([undefined, false]);
    }
    const roles = manifests.filter((m) => m.kind === 'Role' || m.kind === 'ClusterRole');
    expect(roles.map((r) => [r.kind, r.metadata.namespace])).toEqual([
      ['Role', 'smartscale'],
      ['Role', 'workloads'],
    ]);
    for (const role of roles)
      expect(role.rules).toEqual([
        { apiGroups: ['apps'], resources: ['deployments/scale', 'statefulsets/scale'], verbs: ['get', 'patch'] },
      ]);
    const bindings = manifests.filter((m) => m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding');
    expect(bindings.map((b) => [b.kind, b.metadata.namespace, b.roleRef?.kind, b.roleRef?.name])).toEqual(
      roles.map((r) => ['RoleBinding', r.metadata.namespace, 'Role', r.metadata.name]),
    );
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: NAMESPACE }]);
  });

  it('renders the RBAC in the release namespace by default, and none when rbac.create is false', () => {
    const required = REQUIRED;
    expect(
      render(...required)
        .filter((m) => m.kind === 'Role')
        .map((r) => r.metadata.namespace),
    ).toEqual([NAMESPACE]);
    expect(render(...required, '--set', 'rbac.create=false').filter((m) => /Role/.test(m.kind))).toEqual([]);
  });

  it('keeps the ServiceMonitor off by default; when on, it scrapes /metrics of every app Service', () => {
    expect(render(...REQUIRED).filter((m) => m.kind === 'ServiceMonitor')).toEqual([]);
    const sm = manifests.find((m) => m.kind === 'ServiceMonitor');
    expect(sm?.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(sm?.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '10s' }]);
    const selector = sm?.spec.selector as { matchLabels: Record<string, string>; matchExpressions: { values: string[] }[] };
    for (const app of APP_NAMES) {
      const labels = find('Service', `${RELEASE}-${app}`).metadata.labels ?? {};
      expect(Object.entries(selector.matchLabels).every(([k, v]) => labels[k] === v)).toBe(true);
      expect(selector.matchExpressions[0].values).toContain(labels['app.kubernetes.io/component']);
    }
  });

  it('stores the secrets it is given in a Secret, and references an existing one instead when named', () => {
    expect(find('Secret', `${RELEASE}-secrets`).stringData).toEqual(SECRET_VALUES);
    const existing = render(...REQUIRED, '--set', 'secrets.existingSecret=mine');
    expect(existing.filter((m) => m.kind === 'Secret')).toEqual([]);
    const refs = existing
      .flatMap((m) => m.spec?.template?.spec.containers[0].env ?? [])
      .flatMap((e) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : []));
    expect(new Set(refs)).toEqual(new Set(['mine']));
  });
});

describe('deploy/helm/smartscale keda option', () => {
  const so = (extra: Record<string, unknown> = {}) =>
    JSON.stringify([{ name: 'web', targetId: 'web', scaleTargetRef: { name: 'web' }, maxReplicaCount: 10, ...extra }]);
  const keda = (...args: string[]) => render('--values', TEST_VALUES, '--set', 'keda.enabled=true', ...args);

  it('renders nothing of KEDA by default, and the worker serves no gRPC port', () => {
    expect(manifests.filter((m) => m.metadata.name.includes('keda') || m.kind === 'ScaledObject')).toEqual([]);
    expect(podEnv(containerOf('worker')).SMARTSCALE_KEDA_ENABLED).toBeUndefined();
  });

  it('when on, serves the external scaler on a Service the ScaledObject trigger points at, settings the worker accepts', () => {
    const out = keda('--set-json', `keda.scaledObjects=${so()}`);
    const worker = out.find((m) => m.kind === 'Deployment' && m.metadata.name === `${RELEASE}-worker`)!.spec.template!.spec.containers[0];
    const config = loadAppConfig('worker', podEnv(worker)) as { keda?: { enabled: boolean; port: number; tls: unknown } };
    expect(config.keda).toMatchObject({ enabled: true, port: 3004, tls: null });
    const svc = out.find((m) => m.kind === 'Service' && m.metadata.name === `${RELEASE}-worker-keda`)!;
    expect(svc.spec.ports).toEqual([{ name: 'grpc', port: 3004, targetPort: 3004, protocol: 'TCP', appProtocol: 'grpc' }]);
    const scaled = out.find((m) => m.kind === 'ScaledObject')!;
    expect(scaled.spec.triggers).toEqual([
      {
        type: 'external-push',
        metricType: 'AverageValue',
        metadata: { scalerAddress: `${RELEASE}-worker-keda.${NAMESPACE}.svc.cluster.local:3004`, targetId: 'web' },
      },
    ]);
    expect(keda('--set-json', `keda.scaledObjects=${so({ push: false })}`).find((m) => m.kind === 'ScaledObject')!.spec.triggers).toEqual([
      expect.objectContaining({ type: 'external' }),
    ]);
  });

  it('with TLS, mounts the certificate into the worker and gives KEDA the CA through a TriggerAuthentication', () => {
    const out = keda(
      '--set',
      'keda.tls.secretName=grpc-tls',
      '--set',
      'keda.tls.clientAuth=true',
      '--set',
      'keda.tls.clientSecretName=keda-client',
      '--set-json',
      `keda.scaledObjects=${so()}`,
    );
    const worker = out.find((m) => m.kind === 'Deployment' && m.metadata.name === `${RELEASE}-worker`)!.spec.template!.spec;
    const env = podEnv(worker.containers[0]);
    expect([env.SMARTSCALE_KEDA_TLS_CERT, env.SMARTSCALE_KEDA_TLS_KEY, env.SMARTSCALE_KEDA_TLS_CA]).toEqual([
      '/etc/smartscale/keda-tls/tls.crt',
      '/etc/smartscale/keda-tls/tls.key',
      '/etc/smartscale/keda-tls/ca.crt',
    ]);
    expect(worker.volumes).toContainEqual({ name: 'keda-tls', secret: { secretName: 'grpc-tls' } });
    const auth = out.find((m) => m.kind === 'TriggerAuthentication')!;
    expect(auth.spec.secretTargetRef).toEqual([
      { parameter: 'caCert', name: 'grpc-tls', key: 'ca.crt' },
      { parameter: 'tlsClientCert', name: 'keda-client', key: 'tls.crt' },
      { parameter: 'tlsClientKey', name: 'keda-client', key: 'tls.key' },
    ]);
    expect(out.find((m) => m.kind === 'ScaledObject')!.spec.triggers).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ enableTLS: 'true' }),
        authenticationRef: { name: auth.metadata.name },
      }),
    ]);
  });

  describe('secure defaults (issue 18)', () => {
    const envOf = (ms: Manifest[], app: AppName): EnvVar[] =>
      ms.find((m) => m.kind === 'Deployment' && m.metadata.name === `${RELEASE}-${app}`)!.spec.template!.spec.containers[0].env;
    const refOf = (ms: Manifest[], app: AppName, name: string) => envOf(ms, app).find((e) => e.name === name)?.valueFrom?.secretKeyRef;

    it('generates a control token when none is given, and the worker reads it from the Secret, never optionally', () => {
      const ms = render(...REQUIRED);
      const secret = ms.find((m) => m.kind === 'Secret')!;
      expect(secret.stringData?.['control-token']).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(refOf(ms, 'worker', 'SMARTSCALE_CONTROL_TOKEN')).toEqual({ name: secret.metadata.name, key: 'control-token' });
      for (const m of [...ms, ...manifests, ...render(...REQUIRED, '--set', 'secrets.existingSecret=mine')]) {
        for (const e of m.spec?.template?.spec.containers[0].env ?? [])
          expect([m.metadata.name, e.name, e.valueFrom?.secretKeyRef]).not.toEqual([
            m.metadata.name,
            e.name,
            expect.objectContaining({ optional: expect.anything() }),
          ]);
      }
    });

    it('refuses an existing Secret that is not said to hold the control token, or the API keys ingest needs', () => {
      expect(() => render(...REQUIRED, '--set', 'secrets.existingSecret=mine', '--set', 'secrets.existingSecretKeys={api-keys}')).toThrow(
        /secrets\.existingSecret "mine" must hold the key control-token .*never runs without a token/,
      );
      expect(() =>
        render(...REQUIRED, '--set', 'secrets.existingSecret=mine', '--set', 'secrets.existingSecretKeys={control-token}'),
      ).toThrow(/ingest listens on 0\.0\.0\.0 and needs API keys/);
      expect(() => render(...REQUIRED, '--set', 'secrets.controlToken=short')).toThrow(
        /secrets\.controlToken must be at least 16 characters/,
      );
      const ms = render(
        ...REQUIRED,
        '--set',
        'secrets.existingSecret=mine',
        '--set',
        'secrets.existingSecretKeys={control-token,api-keys,webhook-secret}',
      );
      expect(['SMARTSCALE_CONTROL_TOKEN', 'SMARTSCALE_WEBHOOK_SECRET'].map((v) => refOf(ms, 'worker', v)?.key)).toEqual([
        'control-token',
        'webhook-secret',
      ]);
      expect(refOf(ms, 'ingest', 'SMARTSCALE_API_KEYS')).toEqual({ name: 'mine', key: 'api-keys' });
    });

    it('runs ingest without API keys only with ingest.allowAnonymous, which the app accepts and would otherwise refuse', () => {
      const ms = render('--set', 'kafka.brokers=k:9092', '--set', 'temporal.address=t:7233', '--set', 'ingest.allowAnonymous=true');
      const env = Object.fromEntries(
        envOf(ms, 'ingest')
          .filter((e) => e.value !== undefined)
          .map((e) => [e.name, e.value!]),
      );
      expect(env.SMARTSCALE_INGEST_ALLOW_ANONYMOUS).toBe('true');
      expect(refOf(ms, 'ingest', 'SMARTSCALE_API_KEYS')).toBeUndefined();
      expect(() => loadAppConfig('ingest', env)).not.toThrow();
      const without = { ...env };
      delete without.SMARTSCALE_INGEST_ALLOW_ANONYMOUS;
      expect(() => loadAppConfig('ingest', without)).toThrow(/SMARTSCALE_INGEST_ALLOW_ANONYMOUS/);
    });

    it('gives the worker a token it needs on 0.0.0.0, and the Service names as allowed Host headers', () => {
      const env = podEnv(containerOf('worker'));
      const without = { ...env };
      delete without.SMARTSCALE_CONTROL_TOKEN;
      expect(() => loadAppConfig('worker', without)).toThrow(
        /SMARTSCALE_CONTROL_TOKEN: required when SMARTSCALE_CONTROL_HOST \(0\.0\.0\.0\)/,
      );
      const http = loadWorkerConfig(env).http;
      const call = (host: string) =>
        accessRefusal(
          { route: '/v1/targets', host, origin: undefined, authorization: `Bearer ${env.SMARTSCALE_CONTROL_TOKEN}`, localPort: http.port },
          http,
        );
      for (const host of [
        `${RELEASE}-worker:${http.port}`,
        `${RELEASE}-worker.${NAMESPACE}.svc.cluster.local:${http.port}`,
        `localhost:${http.port}`,
      ])
        expect([host, call(host)]).toEqual([host, null]);
      expect(call('attacker.example')?.status).toBe(403);
    });

    it('passes Kafka TLS and SASL to every app and Temporal TLS and an API key to the worker, from Secrets, as variables the apps read', () => {
      const ms = render(
        ...REQUIRED,
        ...[
          'kafka.tls.enabled=true',
          'kafka.tls.secretName=kafka-ca',
          'kafka.sasl.mechanism=scram-sha-512',
          'kafka.sasl.username=smartscale',
          'kafka.sasl.passwordSecret.name=kafka-user',
        ].flatMap((v) => ['--set', v]),
        ...['temporal.tls.secretName=temporal-mtls', 'temporal.apiKeySecret.name=temporal-cloud'].flatMap((v) => ['--set', v]),
      );
      for (const app of APP_NAMES) {
        const d = ms.find((m) => m.kind === 'Deployment' && m.metadata.name === `${RELEASE}-${app}`)!;
        const c = d.spec.template!.spec.containers[0];
        const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? JSON.stringify(e.valueFrom)]));
        expect(unknownVariables(app, env)).toEqual([]);
        expect(env).toMatchObject({
          SMARTSCALE_KAFKA_TLS: 'true',
          SMARTSCALE_KAFKA_TLS_CA_FILE: '/etc/smartscale/kafka-tls/ca.crt',
          SMARTSCALE_KAFKA_SASL_MECHANISM: 'scram-sha-512',
          SMARTSCALE_KAFKA_SASL_USERNAME: 'smartscale',
        });
        expect(refOf(ms, app, 'SMARTSCALE_KAFKA_SASL_PASSWORD')).toEqual({ name: 'kafka-user', key: 'password' });
        expect(c.volumeMounts).toContainEqual({ name: 'kafka-tls', mountPath: '/etc/smartscale/kafka-tls', readOnly: true });
        expect(d.spec.template!.spec.volumes).toContainEqual({ name: 'kafka-tls', secret: { secretName: 'kafka-ca' } });
      }
      const worker = Object.fromEntries(envOf(ms, 'worker').map((e) => [e.name, e.value]));
      expect(worker).toMatchObject({
        SMARTSCALE_TEMPORAL_TLS_CERT_FILE: '/etc/smartscale/temporal-tls/tls.crt',
        SMARTSCALE_TEMPORAL_TLS_KEY_FILE: '/etc/smartscale/temporal-tls/tls.key',
      });
      expect(refOf(ms, 'worker', 'SMARTSCALE_TEMPORAL_API_KEY')).toEqual({ name: 'temporal-cloud', key: 'api-key' });
    });
  });
});
