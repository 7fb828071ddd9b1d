import { loadWorkerConfig } from '../config/worker.config';

describe(loadWorkerConfig.name, () => {
  it('refuses a non-loopback control address without a token, naming the variable and the fix', () => {
    for (const host of ['0.0.0.0', '::', '10.0.0.7', 'worker.example']) {
      expect(() => loadWorkerConfig({ SMARTSCALE_CONTROL_HOST: host })).toThrow(
        new RegExp(
          `SMARTSCALE_CONTROL_TOKEN: required when SMARTSCALE_CONTROL_HOST \\(${host.replace(/\./g, '\\.')}\\) is not a loopback address`,
        ),
      );
    }
    expect(
      loadWorkerConfig({ SMARTSCALE_CONTROL_HOST: '0.0.0.0', SMARTSCALE_CONTROL_TOKEN: 'a-long-enough-control-token' }).http.token,
    ).toBe('a-long-enough-control-token');
    for (const host of ['127.0.0.1', '127.0.0.2', 'localhost', '::1'])
      expect(loadWorkerConfig({ SMARTSCALE_CONTROL_HOST: host }).http.token).toBeNull();
  });

  it('lets webhooks reach loopback by default only when the control API is on loopback', () => {
    expect(loadWorkerConfig({}).webhookAllowedNetworks).toEqual(['127.0.0.0/8', '::1/128']);
    expect(
      loadWorkerConfig({ SMARTSCALE_CONTROL_HOST: '0.0.0.0', SMARTSCALE_CONTROL_TOKEN: 'a-long-enough-control-token' })
        .webhookAllowedNetworks,
    ).toEqual([]);
    expect(loadWorkerConfig({ SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS: 'none' }).webhookAllowedNetworks).toEqual([]);
    expect(loadWorkerConfig({ SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS: '10.96.0.0/12, fd00::/8' }).webhookAllowedNetworks).toEqual([
      '10.96.0.0/12',
      'fd00::/8',
    ]);
    expect(() => loadWorkerConfig({ SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS: '10.0.0.0' })).toThrow(
      /SMARTSCALE_WEBHOOK_ALLOWED_NETWORKS: CIDRs/,
    );
  });

  it('reads the allowed hosts and origins as lower-case lists, and bounds the body limit', () => {
    const c = loadWorkerConfig({
      SMARTSCALE_CONTROL_ALLOWED_HOSTS: 'Worker.Example:3003, api.example',
      SMARTSCALE_CONTROL_ALLOWED_ORIGINS: 'https://Console.example',
    });
    expect([c.http.allowedHosts, c.http.allowedOrigins, c.http.bodyLimitBytes]).toEqual([
      ['worker.example:3003', 'api.example'],
      ['https://console.example'],
      65_536,
    ]);
    expect(() => loadWorkerConfig({ SMARTSCALE_CONTROL_BODY_LIMIT_BYTES: '100000000' })).toThrow(/SMARTSCALE_CONTROL_BODY_LIMIT_BYTES/);
  });
});
