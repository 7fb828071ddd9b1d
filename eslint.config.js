// @ts-check
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

module.exports = tseslint.config(
  {
    // Every source file is linted, JavaScript too: the only JavaScript left outside node_modules and dist/ is
    // the config files and tools/bootstrap.js (it runs before node_modules exists), listed here by name so
    // that any other .js is flagged.
    ignores: ['dist/**', 'node_modules/**', '.smartscale/**', 'coverage/**', 'eslint.config.js', 'jest.config.js', 'tools/bootstrap.js'],
  },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      // CONVENTIONS §6: no fire-and-forget.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    // CONVENTIONS §9: workflow code must stay deterministic; Node built-ins are banned there.
    files: ['workflows/src/workflows/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: nodeBuiltins.map((name) => ({ name, message: 'Node built-ins are not allowed in workflow code (determinism).' })) },
      ],
    },
  },
);
