import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { WORKER_CONFIG } from '../config/worker.config';
import { BearerTokenGuard } from './bearer-token.guard';
import { parseTarget } from '@smartscale/contracts';
import { ControllersService, TargetExistsError, UnknownTargetError } from './controllers.service';
import { TargetsController } from './targets.controller';

const TOKEN = 'a-long-enough-control-token';

/** ControllersService is the Temporal side, replaced here: the REST contract and its guard are under test. */
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
    app.inject({ method, url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      controllers: [TargetsController],
      providers: [BearerTokenGuard, { provide: ControllersService, useValue: fake }, { provide: WORKER_CONFIG, useValue: { http: { token: TOKEN } } }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
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
});
