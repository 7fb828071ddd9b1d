export * from './kafka';
export * from './window-metrics-reader';
