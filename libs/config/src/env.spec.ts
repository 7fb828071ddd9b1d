import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kafkaEnv, kafkaSecurity, loadEnv, temporalConnection, temporalEnv } from './env';

const dir = mkdtempSync(join(tmpdir(), 'smartscale-config-'));
const pem = (name: string): string => {
  const file = join(dir, name);
  writeFileSync(file, `-----BEGIN ${name}-----\n`);
  return file;
};

describe('kafkaEnv', () => {
  const load = (env: NodeJS.ProcessEnv) => kafkaSecurity(loadEnv(kafkaEnv, env));

  it('is plaintext without authentication by default', () => {
    expect(load({})).toEqual({ tls: null, sasl: null });
  });

  it('turns TLS on with the flag alone (system CAs) or with any PEM file, read at boot', () => {
    expect(load({ SMARTSCALE_KAFKA_TLS: 'true' }).tls).toEqual({});
    const tls = load({
      SMARTSCALE_KAFKA_TLS_CA_FILE: pem('CA'),
      SMARTSCALE_KAFKA_TLS_CERT_FILE: pem('CERT'),
      SMARTSCALE_KAFKA_TLS_KEY_FILE: pem('KEY'),
    }).tls;
    expect(Object.fromEntries(Object.entries(tls ?? {}).map(([k, v]) => [k, String(v)]))).toEqual({
      ca: '-----BEGIN CA-----\n',
      cert: '-----BEGIN CERT-----\n',
      key: '-----BEGIN KEY-----\n',
    });
  });

  it('takes SASL with its mechanism, user and password', () => {
    expect(
      load({ SMARTSCALE_KAFKA_SASL_MECHANISM: 'scram-sha-512', SMARTSCALE_KAFKA_SASL_USERNAME: 'u', SMARTSCALE_KAFKA_SASL_PASSWORD: 'p' })
        .sasl,
    ).toEqual({ mechanism: 'scram-sha-512', username: 'u', password: 'p' });
  });

  it('lists every inconsistent or unreadable setting at once', () => {
    expect(() => load({ SMARTSCALE_KAFKA_SASL_MECHANISM: 'plain', SMARTSCALE_KAFKA_TLS_CERT_FILE: pem('CERT2') })).toThrow(
      /SMARTSCALE_KAFKA_TLS_KEY_FILE: a client certificate needs its key[\s\S]*SMARTSCALE_KAFKA_SASL_USERNAME: required with SMARTSCALE_KAFKA_SASL_MECHANISM[\s\S]*SMARTSCALE_KAFKA_SASL_PASSWORD: required/,
    );
    expect(() => load({ SMARTSCALE_KAFKA_SASL_USERNAME: 'u' })).toThrow(
      /SMARTSCALE_KAFKA_SASL_USERNAME: set SMARTSCALE_KAFKA_SASL_MECHANISM too/,
    );
    expect(() => load({ SMARTSCALE_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/SMARTSCALE_KAFKA_SASL_MECHANISM/);
    expect(() => load({ SMARTSCALE_KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
      /SMARTSCALE_KAFKA_TLS_CA_FILE: cannot read .*missing\.pem/,
    );
  });
});

describe('temporalEnv', () => {
  const load = (env: NodeJS.ProcessEnv) => temporalConnection(loadEnv(temporalEnv, env));

  it('is plaintext to 127.0.0.1:7233 by default', () => {
    expect(load({})).toEqual({ address: '127.0.0.1:7233', tls: false });
  });

  it('sends an API key over TLS, and takes mTLS files and a server name', () => {
    expect(load({ SMARTSCALE_TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', SMARTSCALE_TEMPORAL_API_KEY: 'key' })).toEqual({
      address: 'ns.acct.tmprl.cloud:7233',
      tls: {},
      apiKey: 'key',
    });
    const c = load({
      SMARTSCALE_TEMPORAL_TLS_CERT_FILE: pem('TCERT'),
      SMARTSCALE_TEMPORAL_TLS_KEY_FILE: pem('TKEY'),
      SMARTSCALE_TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
    });
    expect(c.tls && String(c.tls.clientCertPair?.crt)).toBe('-----BEGIN TCERT-----\n');
    expect(c.tls && c.tls.serverNameOverride).toBe('temporal.internal');
    expect(() => load({ SMARTSCALE_TEMPORAL_TLS_KEY_FILE: pem('TKEY2') })).toThrow(
      /SMARTSCALE_TEMPORAL_TLS_CERT_FILE: a client certificate needs its key/,
    );
  });
});
