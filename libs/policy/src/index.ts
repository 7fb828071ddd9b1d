export * from './decide';
export * from './validate-policy';
