export * from './decide';
export * from './validate-policy';
export * from './signals-forecast';
