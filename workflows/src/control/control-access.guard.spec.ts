import { AccessRequest, accessRefusal } from './control-access.guard';
import type { WorkerConfig } from '../config/worker.config';

const http = (over: Partial<WorkerConfig['http']> = {}): WorkerConfig['http'] => ({
  host: '127.0.0.1',
  port: 3003,
  token: null,
  allowedHosts: null,
  allowedOrigins: null,
  bodyLimitBytes: 65_536,
  ...over,
});
const req = (over: Partial<AccessRequest> = {}): AccessRequest => ({
  route: '/v1/targets/:id/pause',
  host: '127.0.0.1:3003',
  origin: undefined,
  authorization: undefined,
  localPort: 3003,
  ...over,
});

describe(accessRefusal.name, () => {
  it('lets a loopback name at the port the request came in on through, with no token configured', () => {
    for (const host of ['127.0.0.1:3003', 'localhost:3003', '[::1]:3003', 'LOCALHOST:3003'])
      expect(accessRefusal(req({ host }), http())).toBeNull();
    expect(accessRefusal(req({ host: '127.0.0.1:41234', localPort: 41234 }), http())).toBeNull();
  });

  it('refuses another Host (DNS rebinding), another port, or none, with 403', () => {
    for (const host of ['attacker.example', 'attacker.example:3003', '127.0.0.1:3004', '127.0.0.1', undefined]) {
      expect(accessRefusal(req({ host }), http())).toEqual({
        status: 403,
        message: expect.stringMatching(/is not one this control API answers for/),
      });
    }
  });

  it('adds the configured hosts to the loopback names, and derives the allowed origins from both', () => {
    const config = http({ allowedHosts: ['smartscale-worker.smartscale.svc:3003'] });
    expect(
      accessRefusal(
        req({ host: 'smartscale-worker.smartscale.svc:3003', origin: 'https://smartscale-worker.smartscale.svc:3003' }),
        config,
      ),
    ).toBeNull();
    expect(accessRefusal(req({ host: 'localhost:3003', origin: 'http://localhost:3003' }), config)).toBeNull();
  });

  it('refuses a foreign Origin (CSRF) and the opaque "null" origin, even from an allowed Host', () => {
    for (const origin of ['http://attacker.example', 'null', 'http://127.0.0.1:3004', 'http://localhost:3003.attacker.example']) {
      expect(accessRefusal(req({ origin }), http())).toEqual({
        status: 403,
        message: expect.stringMatching(/may not call this control API/),
      });
    }
    expect(accessRefusal(req({ origin: 'https://console.example' }), http({ allowedOrigins: ['https://console.example'] }))).toBeNull();
  });

  it('with a token, asks it of reads and mutations alike, and checks Host before it', () => {
    const config = http({ token: 'a-long-enough-control-token' });
    for (const route of ['/v1/targets', '/v1/console/events', '/v1/targets/:id/history', '/v1/targets/:id/pause']) {
      expect(accessRefusal(req({ route }), config)?.status).toBe(401);
      expect(accessRefusal(req({ route, authorization: 'Bearer a-long-enough-control-token' }), config)).toBeNull();
      expect(accessRefusal(req({ route, authorization: 'a-long-enough-control-token' }), config)?.status).toBe(401);
    }
    expect(accessRefusal(req({ host: 'attacker.example', authorization: 'Bearer a-long-enough-control-token' }), config)?.status).toBe(403);
  });

  it('leaves the console page, its assets, /health, /metrics and /docs open', () => {
    const config = http({ token: 'a-long-enough-control-token' });
    for (const route of ['/console', '/console/:file', '/health', '/metrics', ''])
      expect(accessRefusal(req({ route, host: 'anything' }), config)).toBeNull();
  });
});
