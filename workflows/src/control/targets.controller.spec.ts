import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { WORKER_CONFIG } from '../config/worker.config';
import { BearerTokenGuard } from './bearer-token.guard';
import { ControllersService, UnknownTargetError } from './controllers.service';
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
}

describe(TargetsController.name, () => {
  let app: NestFastifyApplication;
  const fake = new FakeControllers();
  const send = (method: 'POST' | 'PUT', url: string, payload: object, token?: string) =>
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
});
