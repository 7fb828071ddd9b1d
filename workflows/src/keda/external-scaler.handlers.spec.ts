import { credentials, loadPackageDefinition, Server, ServerCredentials, ServiceError, status as Code } from '@grpc/grpc-js';
import type { Client, ClientReadableStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import {
  ChosenCounts,
  EXTERNAL_SCALER_PROTO,
  externalScalerHandlers,
  externalScalerService,
  METRIC_NAME,
  UnknownTarget,
} from './external-scaler.handlers';
import { KedaDecisions } from './keda-decisions';

type Unary = (req: unknown, cb: (err: ServiceError | null, res: Record<string, unknown>) => void) => void;
type ScalerClient = Client &
  Record<'IsActive' | 'GetMetricSpec' | 'GetMetrics', Unary> &
  Record<'StreamIsActive' | 'StreamMetricSpec', (req: unknown) => ClientReadableStream<{ result: boolean }>>;

/** The handlers behind a real gRPC server on loopback, called by a client generated from KEDA's proto. */
describe('externalScalerHandlers', () => {
  const decisions = new KedaDecisions();
  const counts: Record<string, number> = { web: 0 };
  let failing: Error | null = null;
  const source: ChosenCounts = {
    async count(targetId) {
      if (failing) throw failing;
      if (!(targetId in counts)) throw new UnknownTarget(`unknown target "${targetId}"`);
      return { replicas: counts[targetId], tickMs: 50 };
    },
    subscribe: (targetId, fn) => decisions.subscribe(targetId, (p) => fn(p.replicas)),
  };
  let server: Server;
  let client: ScalerClient;
  const ref = (targetId?: string) => ({ name: 'web', namespace: 'shop', scalerMetadata: targetId ? { targetId } : {} });
  const call = (method: 'IsActive' | 'GetMetricSpec' | 'GetMetrics', req: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => client[method](req, (err, res) => (err ? reject(err) : resolve(res))));

  beforeAll(async () => {
    server = new Server();
    server.addService(externalScalerService(), externalScalerHandlers(source));
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
    );
    const pkg = loadPackageDefinition(loadSync(EXTERNAL_SCALER_PROTO, { keepCase: true, longs: Number, defaults: true })) as unknown as {
      externalscaler: { ExternalScaler: new (addr: string, c: ReturnType<typeof credentials.createInsecure>) => ScalerClient };
    };
    client = new pkg.externalscaler.ExternalScaler(`127.0.0.1:${port}`, credentials.createInsecure());
  });
  afterAll(() => {
    client.close();
    server.forceShutdown();
  });
  beforeEach(() => {
    counts.web = 0;
    failing = null;
  });

  it('answers the metric spec with one replica per unit, so the HPA asks for exactly the chosen count', async () => {
    await expect(call('GetMetricSpec', ref('web'))).resolves.toEqual({
      metricSpecs: [{ metricName: METRIC_NAME, targetSize: 1, targetSizeFloat: 1 }],
    });
  });

  it('serves the chosen count as the metric and activity as "at least one replica"', async () => {
    counts.web = 3;
    await expect(call('GetMetrics', { scaledObjectRef: ref('web'), metricName: 's0-smartscale-replicas' })).resolves.toEqual({
      metricValues: [{ metricName: 's0-smartscale-replicas', metricValue: 3, metricValueFloat: 3 }],
    });
    await expect(call('IsActive', ref('web'))).resolves.toEqual({ result: true });
    counts.web = 0;
    await expect(call('IsActive', ref('web'))).resolves.toEqual({ result: false });
  });

  it('refuses a trigger without targetId, an unknown target, and says when the controller cannot answer', async () => {
    await expect(call('IsActive', ref())).rejects.toMatchObject({
      code: Code.INVALID_ARGUMENT,
      details: expect.stringContaining('targetId'),
    });
    await expect(call('GetMetrics', { scaledObjectRef: ref('nope'), metricName: 'm' })).rejects.toMatchObject({ code: Code.NOT_FOUND });
    failing = new Error('Temporal is down');
    await expect(call('GetMetricSpec', ref('web'))).rejects.toMatchObject({
      code: Code.UNAVAILABLE,
      details: expect.stringContaining('Temporal is down'),
    });
  });

  it('streams the state at once, then each published change, and nothing for a repeat', async () => {
    const stream = client.StreamIsActive(ref('web'));
    const got: boolean[] = [];
    const next = () => new Promise<boolean>((resolve) => stream.once('data', (m: { result: boolean }) => resolve(m.result)));
    stream.on('data', (m: { result: boolean }) => got.push(m.result));
    stream.on('error', () => undefined); // the cancel below ends it with CANCELLED
    await expect(next()).resolves.toBe(false);
    const woke = next();
    counts.web = 1;
    decisions.publish('web', 1);
    await expect(woke).resolves.toBe(true);
    decisions.publish('web', 1);
    const asleep = next();
    counts.web = 0;
    decisions.publish('web', 0);
    await expect(asleep).resolves.toBe(false);
    stream.cancel();
    expect(got).toEqual([false, true, false]);
  });

  it('ends a stream for an unknown target with NOT_FOUND, and StreamMetricSpec as UNIMPLEMENTED', async () => {
    const ended = (s: ClientReadableStream<unknown>) => new Promise<ServiceError>((resolve) => s.on('error', resolve));
    await expect(ended(client.StreamIsActive(ref('nope')))).resolves.toMatchObject({ code: Code.NOT_FOUND });
    await expect(ended(client.StreamMetricSpec(ref('web')))).resolves.toMatchObject({ code: Code.UNIMPLEMENTED });
  });
});
