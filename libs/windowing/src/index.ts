export * from './windows';
export * from './window-aggregate';
export * from './partition-windows';
export * from './commit-pacer';
