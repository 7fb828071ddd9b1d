import { z } from 'zod';
import { kafkaEnv, temporalEnv } from '@smartscale/config';
import { config, envPort, INFRA_ENV } from './config';

describe(config.name, () => {
  it('defaults to the ports the apps connect to without any variable', () => {
    expect(config({})).toEqual({
      kafka: { host: '127.0.0.1', port: 9092, controllerPort: 9093, brokers: '127.0.0.1:9092' },
      temporal: { address: '127.0.0.1:7233', uiPort: 8233, uiUrl: 'http://127.0.0.1:8233' },
    });
  });

  it('takes its defaults from the apps config schemas, so both sides meet', () => {
    const apps = z.object({ ...kafkaEnv, ...temporalEnv }).parse({});
    const cfg = config({});
    expect(apps.SMARTSCALE_KAFKA_BROKERS).toEqual([cfg.kafka.brokers]);
    expect(apps.SMARTSCALE_TEMPORAL_ADDRESS).toBe(cfg.temporal.address);
    expect(apps.SMARTSCALE_TEMPORAL_UI_URL).toBe(cfg.temporal.uiUrl);
  });

  it('reads every port from its SMARTSCALE_* variable (an empty one counts as unset)', () => {
    const cfg = config({
      SMARTSCALE_KAFKA_PORT: '19092',
      SMARTSCALE_KAFKA_CONTROLLER_PORT: '19093',
      SMARTSCALE_TEMPORAL_PORT: '17233',
      SMARTSCALE_TEMPORAL_UI_PORT: '',
    });
    expect(cfg.kafka).toEqual({ host: '127.0.0.1', port: 19092, controllerPort: 19093, brokers: '127.0.0.1:19092' });
    expect(cfg.temporal).toEqual({ address: '127.0.0.1:17233', uiPort: 8233, uiUrl: 'http://127.0.0.1:8233' });
  });

  it.each(['0', '65536', '90.5', 'abc', '-1'])('refuses %j as a port, naming the variable', (raw) => {
    expect(() => envPort('SMARTSCALE_TEMPORAL_PORT', { SMARTSCALE_TEMPORAL_PORT: raw })).toThrow(
      `SMARTSCALE_TEMPORAL_PORT=${raw} is not a valid port`,
    );
  });

  it('documents each variable it reads once', () => {
    expect(INFRA_ENV.map((v) => v.name)).toEqual([
      'SMARTSCALE_KAFKA_PORT',
      'SMARTSCALE_KAFKA_CONTROLLER_PORT',
      'SMARTSCALE_TEMPORAL_PORT',
      'SMARTSCALE_TEMPORAL_UI_PORT',
    ]);
  });
});
