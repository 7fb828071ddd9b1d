// Three tiers (CONVENTIONS.md §13): pure unit specs beside the code, workflow tests on Temporal's
// time-skipping server, integration tests against the real broker and Temporal server under test/.
const swc = [
  '@swc/jest',
  {
    jsc: {
      target: 'es2022',
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
  },
];
const moduleNameMapper = {
  '^@smartscale/contracts$': '<rootDir>/libs/contracts/src',
  '^@smartscale/contracts/(.*)$': '<rootDir>/libs/contracts/src/$1',
  '^@smartscale/testing/(.*)$': '<rootDir>/libs/testing/src/$1',
  '^@smartscale/(windowing|policy|forecasting|kafka|config|ops|testing|store)$': '<rootDir>/libs/$1/src',
};
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.(t|j)s$': swc },
  moduleNameMapper,
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.smartscale/'],
  // ES-module-only packages (@kubernetes/client-node and what it imports) are compiled to CommonJS like our
  // own files: Jest on Node 20 cannot require() ES modules, while Node itself can (require(esm), ≥ 20.19).
  transformIgnorePatterns: ['/node_modules/(?!(@kubernetes/client-node|openid-client|oauth4webapi|jose)/)'],
};
module.exports = {
  projects: [
    {
      ...base,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/{apps,libs,tools,deploy,test/support}/**/*.spec.ts',
        '<rootDir>/workflows/src/*.spec.ts',
        '<rootDir>/workflows/src/{control,console,history,keda,observe,scalers,worker}/**/*.spec.ts',
      ],
    },
    { ...base, displayName: 'workflow', testMatch: ['<rootDir>/workflows/src/workflows/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
};
