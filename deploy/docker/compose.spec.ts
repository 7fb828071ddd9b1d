import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_ATTRIBUTE_TYPES } from '@smartscale/contracts';
import { REPO_ROOT } from '@smartscale/testing';
import { APP_NAMES, loadAppConfig, sourceOfEntry, unknownVariables } from '../../test/support/deploy/app-config';
import { ComposeService, composeServices, interpolate, publishedPorts, TRY_OUT_ENV } from '../../test/support/deploy/compose-file';

// No Docker engine runs here, so the compose file is checked against what the apps actually read:
// every entry point exists, every variable is one the app's config schema knows and accepts, and
// every published container port is the port the app will listen on.
/** As written: each test interpolates with the environment it is about. */
const services = composeServices(null);

const envOf = (s: ComposeService, shell: Record<string, string> = TRY_OUT_ENV) => interpolate(s.environment ?? {}, shell);

describe('docker-compose.yml', () => {
  it.each(APP_NAMES)('runs %s with an entry point that the build produces', (name) => {
    const command = services[name].command ?? [];
    expect(command[0]).toBe('node');
    expect(existsSync(join(REPO_ROOT, sourceOfEntry(command[1])))).toBe(true);
  });

  it.each(APP_NAMES)('gives %s only variables its config reads, with values it accepts', (name) => {
    const env = envOf(services[name]);
    expect(unknownVariables(name, env)).toEqual([]);
    expect(() => loadAppConfig(name, env)).not.toThrow();
  });

  it.each(APP_NAMES.filter((n) => services[n].ports))('publishes the port %s listens on, on all interfaces', (name) => {
    const service = services[name];
    const config = loadAppConfig(name, envOf(service));
    expect(publishedPorts(service).map((p) => p.container)).toEqual([config.http?.port]);
    expect(Object.entries(service.environment ?? {}).find(([k]) => k.endsWith('_HOST'))?.[1]).toBe('0.0.0.0');
  });

  it('registers exactly the search attributes the controller upserts', () => {
    const command = (services['temporal-search-attributes'].command ?? []).join(' ');
    const registered = Object.fromEntries([...command.matchAll(/(SmartScale\w+):(\w+)/g)].map((m) => [m[1], m[2]]));
    expect(registered).toEqual(SEARCH_ATTRIBUTE_TYPES);
  });

  it('publishes no host port twice', () => {
    const hostPorts = Object.values(services).flatMap((s) => publishedPorts(s).map((p) => p.host));
    expect(hostPorts.filter((p, i) => hostPorts.indexOf(p) !== i)).toEqual([]);
  });

  it('pins every image it pulls to a version', () => {
    const pulled = Object.entries(services).filter(([, s]) => s.image && s.image !== 'smartscale:dev');
    expect(pulled.map(([, s]) => s.image).filter((image) => !/:[\w.-]+$/.test(image ?? '') || /:latest$/.test(image ?? ''))).toEqual([]);
    expect(pulled.map(([n]) => n)).toEqual(expect.arrayContaining(['prometheus', 'grafana']));
  });

  it('mounts the Prometheus config and the Grafana provisioning from deploy/, and the paths exist', () => {
    const mounts = [...(services.prometheus.volumes ?? []), ...(services.grafana.volumes ?? [])].filter((v) => v.startsWith('./'));
    expect(mounts).toEqual(
      expect.arrayContaining(['./deploy/prometheus:/etc/prometheus:ro', './deploy/grafana/provisioning:/etc/grafana/provisioning:ro']),
    );
    for (const m of mounts) expect(existsSync(join(REPO_ROOT, m.split(':')[0]))).toBe(true);
    expect(services.prometheus.command).toContain('--config.file=/etc/prometheus/prometheus.yml');
  });

  it('will not start the worker without SMARTSCALE_CONTROL_TOKEN, saying how to make one; with it, the worker accepts its 0.0.0.0', () => {
    expect(() => envOf(services.worker, {})).toThrow(
      /required variable SMARTSCALE_CONTROL_TOKEN is missing a value: set SMARTSCALE_CONTROL_TOKEN to a random string of 16\+ characters \(e\.g\. openssl rand -hex 24\)/,
    );
    const env = envOf(services.worker);
    expect(env.SMARTSCALE_CONTROL_HOST).toBe('0.0.0.0');
    expect(loadAppConfig('worker', env)).toMatchObject({ http: { token: TRY_OUT_ENV.SMARTSCALE_CONTROL_TOKEN } });
  });

  it('starts ingest on 0.0.0.0 only with API keys or with anonymous events asked for by name', () => {
    expect(() => loadAppConfig('ingest', envOf(services.ingest, {}))).toThrow(/SMARTSCALE_INGEST_ALLOW_ANONYMOUS=true/);
    expect(() => loadAppConfig('ingest', envOf(services.ingest, { SMARTSCALE_API_KEYS: `${'ab'.repeat(32)}:*` }))).not.toThrow();
    expect(() => loadAppConfig('ingest', envOf(services.ingest, { SMARTSCALE_INGEST_ALLOW_ANONYMOUS: 'true' }))).not.toThrow();
  });
});
