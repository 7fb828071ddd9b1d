export * from './temporal-test-env';
export * from './kafka-probe';
export * from './seeded-random';
export * from './metric-sample';
export * from './fixtures';
export * from './free-port';
