/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

const swcTransform: Config['transform'] = {
  '^.+\\.ts$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
  // jose 6 (SSO, principal tokens) and auto-bind (graphql-codegen, the generated-types test) ship ES modules only.
  '/node_modules/(jose|auto-bind)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};

const PACKAGES = [
  'shared/config',
  'shared/errors',
  'shared/authz',
  'shared/db',
  'shared/server',
  'platform',
  'services/account-hierarchy',
  'services/identity',
  'services/messaging',
  'services/billing',
  'gateway',
];

const config: Config = {
  globalSetup: '<rootDir>/platform/src/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/platform/src/testing/jest-global-teardown.ts',
  maxWorkers: 2,
  // integration suites start PostgreSQL databases and five servers
  testTimeout: 60_000,
  projects: PACKAGES.map((dir) => ({
    displayName: dir.split('/').pop(),
    rootDir: `<rootDir>/${dir}`,
    testMatch: ['<rootDir>/src/**/__tests__/**/*.test.ts'],
    transform: swcTransform,
    transformIgnorePatterns: ['/node_modules/(?!(jose|auto-bind)/)'],
    testEnvironment: 'node',
  })),
};

export default config;
