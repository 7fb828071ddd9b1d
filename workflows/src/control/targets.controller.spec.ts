import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { WORKER_CONFIG } from '../config/worker.config';
import { ControlAccessGuard } from './control-access.guard';
import { parseTarget } from '@smartscale/contracts';
import { TargetsService, TargetExistsError, UnknownTargetError } from './targets.service';
import { TargetsController } from './targets.controller';

const TOKEN = 'a-long-enough-control-token';
const HTTP = { host: '127.0.0.1', port: 3003, token: TOKEN, allowedHosts: null, allowedOrigins: null, bodyLimitBytes: 65_536 };

/** TargetsService is the Temporal side, replaced here: the REST contract and its guard are under test. */
class FakeControllers {
  calls: string[] = [];
  ids = () => ['demo'];
  uiLink = (id: string) => `ui/${id}`;
  private known(id: string) {
    if (id !== 'demo') throw new UnknownTargetError(`unknown target "${id}"`);
  }
  async pause(id: string, reason: string) {
    this.known(id);
    this.calls.push(`pause:${reason}`);
  }
  async override(id: string, req: { replicas: number; ttlMs: number }) {
    this.known(id);
    this.calls.push(`override:${req.replicas}:${req.ttlMs}`);
  }
  async create(input: unknown) {
    const target = parseTarget(input);
    if (target.id === 'demo') throw new TargetExistsError('target "demo" exists');
    this.calls.push(`create:${target.id}`);
    return target;
  }
  async remove(id: string) {
    this.known(id);
    this.calls.push(`remove:${id}`);
  }
}

describe(TargetsController.name, () => {
  let app: NestFastifyApplication;
  const fake = new FakeControllers();
  const send = (method: 'POST' | 'PUT' | 'DELETE', url: string, payload: object, token?: string) =>
    app.inject({ method, url, payload, headers: { host: '127.0.0.1:3003', ...(token ? { authorization: `Bearer ${token}` } : {}) } });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [TargetsController],
      providers: [
        { provide: TargetsService, useValue: fake },
        { provide: WORKER_CONFIG, useValue: { http: HTTP, webhookAllowedNetworks: [] } },
      ],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    app.useGlobalGuards(new ControlAccessGuard(HTTP));
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('refuses a mutation without the bearer token, or with a wrong one', async () => {
    expect((await send('POST', '/v1/targets/demo/pause', { reason: 'x' })).statusCode).toBe(401);
    expect((await send('POST', '/v1/targets/demo/pause', { reason: 'x' }, 'wrong-token-of-some-length')).statusCode).toBe(401);
    expect(fake.calls).toEqual([]);
  });

  it('signals pause and override with the token', async () => {
    expect((await send('POST', '/v1/targets/demo/pause', { reason: 'deploy' }, TOKEN)).statusCode).toBe(202);
    expect((await send('POST', '/v1/targets/demo/override', { replicas: 3, ttlMs: 60_000 }, TOKEN)).statusCode).toBe(202);
    expect(fake.calls).toEqual(['pause:deploy', 'override:3:60000']);
  });

  it('answers 400 for a bad override and 404 for an unknown target', async () => {
    const bad = await send('POST', '/v1/targets/demo/override', { replicas: -1 }, TOKEN);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(['replicas', 'ttlMs']);
    expect((await send('POST', '/v1/targets/nope/pause', {}, TOKEN)).statusCode).toBe(404);
  });

  it('adds a validated target, refuses a duplicate or a bad one, and removes one, all behind the token', async () => {
    fake.calls = [];
    const target = { id: 'cart', service: 'cart', scaler: { kind: 'local' }, policy: { maxReplicas: 4 } };
    expect((await send('POST', '/v1/targets', target)).statusCode).toBe(401);
    const created = await send('POST', '/v1/targets', target, TOKEN);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'cart', policy: { maxReplicas: 4, minReplicas: 1 }, workflowUrl: 'ui/cart' });
    expect((await send('POST', '/v1/targets', { ...target, id: 'demo' }, TOKEN)).statusCode).toBe(409);
    const bad = await send('POST', '/v1/targets', { ...target, id: 'Cart!', policy: { minReplicas: -1 } }, TOKEN);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().issues.map((i: { path: string[] }) => i.path.join('.'))).toEqual(['id']);
    expect((await send('DELETE', '/v1/targets/demo', {}, TOKEN)).statusCode).toBe(202);
    expect((await send('DELETE', '/v1/targets/nope', {}, TOKEN)).statusCode).toBe(404);
    expect(fake.calls).toEqual(['create:cart', 'remove:demo']);
  });

  it('refuses a webhook target that points at a metadata address, another scheme or a private address, with the reason', async () => {
    fake.calls = [];
    const webhook = (url: string) => send('POST', '/v1/targets', { id: 'hook', service: 'hook', scaler: { kind: 'webhook', url } }, TOKEN);
    for (const [url, reason] of [
      ['http://169.254.169.254/latest/meta-data/', /link-local, metadata/],
      ['file:///etc/passwd', /scheme "file" is not allowed/],
      ['gopher://127.0.0.1:6379/_INFO', /scheme "gopher" is not allowed/],
      ['http://metadata.google.internal/computeMetadata/v1/', /cloud metadata service/],
      ['http://10.0.0.5/scale', /private address outside SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS/],
    ] as const) {
      const res = await webhook(url);
      expect([url, res.statusCode]).toEqual([url, 400]);
      expect(res.json().message).toMatch(reason);
    }
    expect(fake.calls).toEqual([]);
  });

  it('refuses reads without the token when one is set, and calls for another Host or from another Origin', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/targets/demo/decisions', headers: { host: '127.0.0.1:3003' } })).statusCode).toBe(
      401,
    );
    const foreignHost = await app.inject({
      method: 'POST',
      url: '/v1/targets/demo/pause',
      payload: {},
      headers: { host: 'attacker.example', authorization: `Bearer ${TOKEN}` },
    });
    expect([foreignHost.statusCode, foreignHost.json().message]).toEqual([
      403,
      expect.stringMatching(/Host "attacker.example" is not one this control API answers for/),
    ]);
    const foreignOrigin = await app.inject({
      method: 'POST',
      url: '/v1/targets/demo/pause',
      payload: {},
      headers: { host: '127.0.0.1:3003', origin: 'http://attacker.example', authorization: `Bearer ${TOKEN}` },
    });
    expect([foreignOrigin.statusCode, foreignOrigin.json().message]).toEqual([
      403,
      expect.stringMatching(/Origin "http:\/\/attacker.example" may not call/),
    ]);
  });
});
