import { securityOptions } from './kafka';

describe(securityOptions.name, () => {
  it('maps the config to kafkajs ssl and sasl options, and nothing when off', () => {
    expect(securityOptions(undefined)).toEqual({});
    expect(securityOptions({ tls: null, sasl: null })).toEqual({});
    expect(securityOptions({ tls: {}, sasl: null })).toEqual({ ssl: true });
    const ca = Buffer.from('ca');
    expect(securityOptions({ tls: { ca }, sasl: { mechanism: 'plain', username: 'u', password: 'p' } })).toEqual({
      ssl: { ca },
      sasl: { mechanism: 'plain', username: 'u', password: 'p' },
    });
  });
});
