export * from './temporal-test-env';
export * from './kafka-probe';
