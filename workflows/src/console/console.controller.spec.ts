import { MessageEvent } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Observable, of } from 'rxjs';
import { buildConsoleScript } from '../../../test/support/console-script';
import { ConsoleController } from './console.controller';
import { ConsoleService, UnknownConsoleTargetError } from './console.service';

/** ConsoleService (Temporal, history, predictor) is replaced: the HTTP surface of the page is under test. */
class FakeConsole {
  ranges: { id: string; from: number; to: number }[] = [];
  events(): Observable<MessageEvent> {
    return of({ type: 'snapshot', data: { targets: [] }, retry: 2_000 }, { type: 'status', data: { targets: [{ id: 'demo' }] } });
  }
  async chart(id: string, range: { from: number; to: number }) {
    if (id !== 'demo') throw new UnknownConsoleTargetError(`unknown target "${id}"`);
    this.ranges.push({ id, ...range });
    return { targetId: id };
  }
}

describe(ConsoleController.name, () => {
  let app: NestFastifyApplication;
  const fake = new FakeConsole();
  const get = (url: string) => app.inject({ method: 'GET', url });

  beforeAll(async () => {
    await buildConsoleScript(); // the page's script is the build's (console-assets.ts)
    const moduleRef = await Test.createTestingModule({
      controllers: [ConsoleController],
      providers: [{ provide: ConsoleService, useValue: fake }],
    }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter());
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('serves the page, its script and uPlot from this app only', async () => {
    const page = await get('/console');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    const srcs = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(srcs.filter((s) => !s.startsWith('/'))).toEqual([]);
    for (const src of srcs.filter((s) => s.startsWith('/console/'))) {
      const res = await get(src);
      expect([src, res.statusCode]).toEqual([src, 200]);
    }
    const uplot = await get('/console/uPlot.iife.min.js');
    expect(uplot.headers['content-type']).toMatch(/^text\/javascript/);
    expect(uplot.body).toContain('uPlot');
  });

  it('answers 404 for any other name, a path outside its folders included', async () => {
    for (const url of [
      '/console/nope.js',
      '/console/..%2Fconsole.controller.ts',
      '/console/%2E%2E%2Fpackage.json',
      '/console/.env',
      '/console/console.controller.ts',
    ]) {
      expect([url, (await get(url)).statusCode]).toEqual([url, 404]);
    }
  });

  it('streams server-sent events, the snapshot first', async () => {
    // A real socket: Nest's event stream sets keep-alive on it, which an injected request lacks.
    await app.listen(0, '127.0.0.1');
    const res = await fetch(`${await app.getUrl()}/v1/console/events`);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(await res.text()).toMatch(/event: snapshot\n(id: \d+\n)?retry: 2000\ndata: \{"targets":\[\]\}\n\n[\s\S]*event: status\n/);
  });

  it('reads a chart range in epoch ms, an hour back by default, and refuses bad ones', async () => {
    expect((await get('/v1/console/targets/demo/chart?from=1000&to=5000')).statusCode).toBe(200);
    expect(fake.ranges[0]).toEqual({ id: 'demo', from: 1_000, to: 5_000 });
    await get('/v1/console/targets/demo/chart?to=7200000');
    expect(fake.ranges[1]).toEqual({ id: 'demo', from: 3_600_000, to: 7_200_000 });
    expect((await get('/v1/console/targets/demo/chart?from=5000&to=1000')).statusCode).toBe(400);
    expect((await get('/v1/console/targets/demo/chart?from=yesterday')).statusCode).toBe(400);
    expect((await get('/v1/console/targets/nope/chart')).statusCode).toBe(404);
  });
});
