import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChannelCredentials, credentials, loadPackageDefinition, ServiceError, status as Code } from '@grpc/grpc-js';
import type { Client } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import type { ControllerStatus } from '@smartscale/contracts';
import { writeTestPki } from '@smartscale/testing/test-pki';
import type { WorkerConfig } from '../config/worker.config';
import { TargetsService, UnknownTargetError } from '../control/targets.service';
import { EXTERNAL_SCALER_PROTO } from './external-scaler.handlers';
import { ExternalScalerService } from './external-scaler.service';
import { KedaDecisions } from './keda-decisions';

type IsActive = (req: unknown, cb: (err: ServiceError | null, res: { result: boolean }) => void) => void;
type ScalerClient = Client & {
  IsActive: IsActive;
  GetMetrics: (req: unknown, cb: (err: ServiceError | null, res: { metricValues: { metricValue: number }[] }) => void) => void;
};
const ExternalScaler = (
  loadPackageDefinition(loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true, longs: Number, defaults: true })) as unknown as {
    externalscaler: { ExternalScaler: new (address: string, creds: ChannelCredentials) => ScalerClient };
  }
).externalscaler.ExternalScaler;

/** The service with TLS from files and the count it serves; the controllers are a stand-in answering status. */
describe(ExternalScalerService.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'smartscale-keda-tls-'));
  let status: Partial<ControllerStatus> | null;
  const controllers = {
    async status(id: string) {
      if (!status || id !== 'web') throw new UnknownTargetError(`unknown target "${id}"`);
      return status as ControllerStatus;
    },
  } as unknown as TargetsService;
  const services: ExternalScalerService[] = [];

  beforeAll(() =>
    writeTestPki(dir, {
      caSubject: '/CN=test-ca',
      days: 1,
      leaves: [
        { name: 'server', subject: '/CN=server', extensions: 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' },
        { name: 'client', subject: '/CN=client', extensions: 'extendedKeyUsage=clientAuth\n' },
      ],
    }),
  );
  beforeEach(() => {
    status = { currentReplicas: 2, lastDecision: null, policy: { tickIntervalMs: 1000, minReplicas: 0 } as ControllerStatus['policy'] };
  });
  afterAll(async () => {
    await Promise.all(services.map((s) => s.onApplicationShutdown()));
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(keda: Partial<WorkerConfig['keda']>, decisions = new KedaDecisions()): Promise<number> {
    const config = { keda: { enabled: true, host: '127.0.0.1', port: 0, tls: null, ...keda } } as WorkerConfig;
    const service = new ExternalScalerService(config, controllers, decisions);
    services.push(service);
    await service.onApplicationBootstrap();
    return service.port()!;
  }
  const ref = { name: 'web', namespace: 'shop', scalerMetadata: { targetId: 'web' } };
  const isActive = (client: ScalerClient) =>
    new Promise<boolean>((resolve, reject) => client.IsActive(ref, (err, res) => (err ? reject(err) : resolve(res.result))));
  const metric = (client: ScalerClient) =>
    new Promise<number>((resolve, reject) =>
      client.GetMetrics({ scaledObjectRef: ref, metricName: 'm' }, (err, res) =>
        err ? reject(err) : resolve(res.metricValues[0].metricValue),
      ),
    );
  const file = (name: string) => readFileSync(join(dir, name));

  it('listens on nothing when disabled', async () => {
    const config = { keda: { enabled: false, host: '127.0.0.1', port: 0, tls: null } } as unknown as WorkerConfig;
    const service = new ExternalScalerService(config, controllers, new KedaDecisions());
    await service.onApplicationBootstrap();
    expect(service.port()).toBeNull();
  });

  it('serves the controller status over TLS that a client verifies against the CA', async () => {
    const port = await start({ tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: null } });
    const client = new ExternalScaler(`127.0.0.1:${port}`, credentials.createSsl(file('ca.crt')));
    await expect(metric(client)).resolves.toBe(2);
    client.close();
    // A client that does not trust the CA cannot talk to it.
    const stranger = new ExternalScaler(`127.0.0.1:${port}`, credentials.createSsl(file('server.crt')));
    await expect(isActive(stranger)).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    stranger.close();
  });

  it('with a client CA, refuses a client without a certificate and serves one with', async () => {
    const port = await start({ tls: { cert: join(dir, 'server.crt'), key: join(dir, 'server.key'), ca: join(dir, 'ca.crt') } });
    const anonymous = new ExternalScaler(`127.0.0.1:${port}`, credentials.createSsl(file('ca.crt')));
    await expect(isActive(anonymous)).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    anonymous.close();
    const keda = new ExternalScaler(`127.0.0.1:${port}`, credentials.createSsl(file('ca.crt'), file('client.key'), file('client.crt')));
    await expect(isActive(keda)).resolves.toBe(true);
    keda.close();
  });

  it('serves a count this worker published after the last recorded decision, and the status once it is newer', async () => {
    const decisions = new KedaDecisions();
    const port = await start({}, decisions);
    const client = new ExternalScaler(`127.0.0.1:${port}`, credentials.createInsecure());
    decisions.publish('web', 5, 2_000);
    status!.lastDecision = { at: 1_000 } as ControllerStatus['lastDecision'];
    await expect(metric(client)).resolves.toBe(5);
    status!.lastDecision = { at: 3_000 } as ControllerStatus['lastDecision'];
    await expect(metric(client)).resolves.toBe(2);
    status = { ...status, currentReplicas: null };
    await expect(metric(client)).resolves.toBe(0); // no decision yet: the policy's minimum
    status = null;
    await expect(isActive(client)).rejects.toMatchObject({ code: Code.NOT_FOUND });
    client.close();
  });
});
