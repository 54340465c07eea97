// Jest runs in ESM mode: NestJS 12 ships ESM-only packages (see docs/development.md).
// The capability jest-runtime itself tests for require(esm) (vm.SourceTextModule#hasAsyncGraph,
// Node 24.9+; the class exists because the tests run with --experimental-vm-modules).
const jestRequiresEsmNatively = typeof require('node:vm').SourceTextModule?.prototype.hasAsyncGraph === 'function';

const common = {
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json'],
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.jest.json' }],
    // @fastify/static (Swagger UI assets) require()s the ESM-only content-disposition 3. Jest on
    // Node 24.9+ loads it natively (require(esm)); below that it cannot, so that one package is
    // compiled to CommonJS there (and must not be on 24.9+, where Jest then evaluates it as ESM).
    ...(jestRequiresEsmNatively
      ? {}
      : {
          '/node_modules/content-disposition/.+\\.js$': ['ts-jest', { useESM: false, tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
        }),
  },
  transformIgnorePatterns: jestRequiresEsmNatively ? ['/node_modules/'] : ['/node_modules/(?!content-disposition/)'],
  // Our relative imports end in .js (CommonJS build); map them to the .ts sources. Not `.json.js`:
  // libphonenumber-js's ESM build imports its metadata as `metadata.max.json.js`, a real file.
  moduleNameMapper: { '^(\\.{1,2}/.*)(?<!\\.json)\\.js$': '$1' },
  setupFilesAfterEnv: ['<rootDir>/test/setup/quiet-nest-logger.ts'],
};

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/simulators/**/*.spec.ts', '<rootDir>/test/architecture/**/*.spec.ts'],
    },
    {
      ...common,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
    },
  ],
  testTimeout: 60000,
};
