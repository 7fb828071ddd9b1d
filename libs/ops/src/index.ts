export * from './ops.module';
export * from './http-app';
export * from './cluster';
