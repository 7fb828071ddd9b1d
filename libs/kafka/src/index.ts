export * from './kafka';
export * from './kafka.module';
export * from './window-metrics-reader';
