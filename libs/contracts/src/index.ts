export * from './topics';
export * from './events';
export * from './metrics';
export * from './batches';
export * from './policy';
export * from './policy.schema';
export * from './controller';
export * from './event-records';
