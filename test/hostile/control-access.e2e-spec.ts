import { spawn } from 'node:child_process';
import { REPO_ROOT } from '@smartscale/testing';
import { ControlWorker, endControllers, raw, startControlWorker } from './control-worker';

// Issue 18, "secure by default", against a real worker on the real Temporal server. Before this change
// the worker answered the foreign Host and Origin with 202 (no check), served every read without a token,
// and started on 0.0.0.0 without one; each expectation below fails there (see docs/hostile/control.md).
jest.setTimeout(120_000);

const TOKEN = 'hostile-test-control-token-0123';

describe('control API on loopback without a token', () => {
  let worker: ControlWorker;
  let id: string;
  beforeAll(async () => {
    worker = await startControlWorker();
    id = `${worker.run}-a`;
    // recommend mode and a receiver that is never reached: nothing to scale, only a controller to pause.
    const created = await raw(
      worker.port,
      'POST',
      '/v1/targets',
      {},
      {
        id,
        service: id,
        scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/never' },
        policy: { mode: 'recommend', tickIntervalMs: 1_000 },
      },
    );
    expect(created.status).toBe(201);
  });
  afterAll(async () => {
    await endControllers(worker, [id]);
    await worker.close();
  });

  it('refuses a pause that names another Host (DNS rebinding) with 403, and the target stays unpaused', async () => {
    const res = await raw(worker.port, 'POST', `/v1/targets/${id}/pause`, { host: 'attacker.example' }, { reason: 'rebound' });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).message).toMatch(/Host "attacker.example" is not one this control API answers for/);
    // Reads through a rebound name are refused too: the page cannot read targets either.
    expect((await raw(worker.port, 'GET', '/v1/targets', { host: `attacker.example:${worker.port}` })).status).toBe(403);
    expect(JSON.parse((await raw(worker.port, 'GET', `/v1/targets/${id}`)).body).paused).toBeNull();
  });

  it('refuses a pause sent from another Origin (CSRF) with 403, and accepts one from the console page origin', async () => {
    const foreign = await raw(worker.port, 'POST', `/v1/targets/${id}/pause`, { origin: 'http://attacker.example' }, { reason: 'csrf' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body).message).toMatch(/Origin "http:\/\/attacker.example" may not call this control API/);
    expect(JSON.parse((await raw(worker.port, 'GET', `/v1/targets/${id}`)).body).paused).toBeNull();

    for (const host of [`127.0.0.1:${worker.port}`, `localhost:${worker.port}`]) {
      const own = await raw(
        worker.port,
        'POST',
        `/v1/targets/${id}/pause`,
        { host, origin: `http://${host}` },
        { reason: `from the console at ${host}` },
      );
      expect([host, own.status]).toEqual([host, 202]);
    }
    const status = JSON.parse((await raw(worker.port, 'GET', `/v1/targets/${id}`)).body) as { paused: { reason: string } | null };
    expect(status.paused?.reason).toBe(`from the console at localhost:${worker.port}`);
  });
});

describe('control API with SMARTSCALE_CONTROL_TOKEN', () => {
  let worker: ControlWorker;
  beforeAll(async () => {
    worker = await startControlWorker({ SMARTSCALE_CONTROL_TOKEN: TOKEN, SMARTSCALE_CONTROL_BODY_LIMIT_BYTES: '4096' });
  });
  afterAll(async () => {
    await endControllers(worker, [`${worker.run}-big`]);
    await worker.close();
  });

  it('answers a body over SMARTSCALE_CONTROL_BODY_LIMIT_BYTES with 413 and adds nothing', async () => {
    const id = `${worker.run}-big`;
    const auth = { authorization: `Bearer ${TOKEN}` };
    const res = await raw(worker.port, 'POST', '/v1/targets', auth, {
      id,
      service: id,
      scaler: { kind: 'webhook', url: 'http://127.0.0.1:9/x' },
      policy: { mode: 'recommend' },
      padding: 'x'.repeat(8_192),
    });
    expect(res.status).toBe(413);
    expect((await raw(worker.port, 'GET', `/v1/targets/${id}`, auth)).status).toBe(404);
  });

  it('answers every read without the token with 401: targets, decisions, history, windows, console data and stream', async () => {
    for (const path of [
      '/v1/targets',
      '/v1/targets/x/decisions',
      '/v1/targets/x/history',
      '/v1/services/x/windows',
      '/v1/batches',
      '/v1/console/targets/x/chart',
      '/v1/console/events',
    ]) {
      const res = await raw(worker.port, 'GET', path);
      expect([path, res.status, res.headers['www-authenticate']]).toEqual([path, 401, 'Bearer realm="smartscale-control"']);
      expect((await raw(worker.port, 'GET', path, { authorization: 'Bearer wrong-token-of-some-length' })).status).toBe(401);
    }
    // The page itself loads (it asks for the token), and so do the probes.
    expect((await raw(worker.port, 'GET', '/console')).status).toBe(200);
    expect((await raw(worker.port, 'GET', '/metrics')).status).toBe(200);
  });

  it('streams console events to a reader that sends the token in the Authorization header, as the page does', async () => {
    const res = await fetch(`${worker.url}/v1/console/events`, {
      headers: { accept: 'text/event-stream', authorization: `Bearer ${TOKEN}` },
      signal: AbortSignal.timeout(30_000),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    const SNAPSHOT = /event: snapshot\n(?:(?:id|retry): .*\n)*data: (.*)\n/;
    while (!SNAPSHOT.test(text)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    await reader.cancel();
    const snapshot = JSON.parse(SNAPSHOT.exec(text)![1]) as { targets: unknown[] };
    expect(snapshot.targets).toEqual([]);
  });
});

describe('worker started on a non-loopback address', () => {
  it('exits 1 with a clear error when SMARTSCALE_CONTROL_TOKEN is not set, before it opens any port', async () => {
    const withoutToken = { ...process.env };
    delete withoutToken.SMARTSCALE_CONTROL_TOKEN;
    const child = spawn(process.execPath, ['dist/workflows/src/main.js'], {
      cwd: REPO_ROOT,
      env: { ...withoutToken, SMARTSCALE_CONTROL_HOST: '0.0.0.0', SMARTSCALE_CONTROL_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toContain('SMARTSCALE_CONTROL_TOKEN: required when SMARTSCALE_CONTROL_HOST (0.0.0.0) is not a loopback address');
  });
});
