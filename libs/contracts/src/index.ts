export * from './topics';
export * from './events';
export * from './metrics';
export * from './policy';
export * from './policy.schema';
export * from './controller';
