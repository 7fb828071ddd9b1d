import { appSettings, SCENARIOS, scenarioTarget } from './start';

describe('npm start settings', () => {
  it('takes each scenario target, service, tick, task queue and aggregator group from its targets file and the contracts', () => {
    // The values start.js typed by hand before they were derived (no behaviour change).
    const expected = {
      cycle: {
        target: 'cycle',
        service: 'storefront',
        tickMs: 5000,
        queue: 'smartscale-controller-cycle',
        group: 'smartscale-aggregator-cycle',
      },
      spike: { target: 'demo', service: 'checkout', tickMs: 5000, queue: 'smartscale-controller', group: 'smartscale-aggregator' },
      'idle-burst': {
        target: 'idle-burst',
        service: 'checkout',
        tickMs: 5000,
        queue: 'smartscale-controller-idle-burst',
        group: 'smartscale-aggregator-idle-burst',
      },
      otlp: {
        target: 'otlp-demo',
        service: 'checkout',
        tickMs: 5000,
        queue: 'smartscale-controller-otlp',
        group: 'smartscale-aggregator-otlp',
      },
    };
    expect(Object.keys(SCENARIOS).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, scenario] of Object.entries(SCENARIOS))
      expect([name, scenarioTarget(scenario)]).toEqual([name, expected[name as keyof typeof expected]]);
  });

  it("uses the apps' port, window and grace defaults and their environment variables", () => {
    expect(appSettings({})).toEqual({ ingest: 3000, predictor: 3002, control: 3003, windowMs: 10_000, graceMs: 2_000 });
    expect(
      appSettings({
        SMARTSCALE_INGEST_PORT: '4000',
        SMARTSCALE_CONTROL_PORT: '4003',
        SMARTSCALE_WINDOW_MS: '5000',
        SMARTSCALE_GRACE_MS: '0',
      }),
    ).toEqual({
      ingest: 4000,
      predictor: 3002,
      control: 4003,
      windowMs: 5_000,
      graceMs: 0,
    });
  });

  it('refuses a bad port or window with the variable named, as the apps would', () => {
    expect(() => appSettings({ SMARTSCALE_PREDICTOR_PORT: '70000', SMARTSCALE_WINDOW_MS: '0' })).toThrow(
      /SMARTSCALE_PREDICTOR_PORT[\s\S]*SMARTSCALE_WINDOW_MS/,
    );
  });
});
