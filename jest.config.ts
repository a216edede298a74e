/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

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
  'portal',
];

const config: Config = {
  // Only the global setup and teardown go through jest's transform; the suites run in
  // jest-light-runner's processes, where tsx loads TypeScript (platform/src/testing/jest-light-setup.mjs).
  globalSetup: '<rootDir>/platform/src/testing/jest-global-setup.ts',
  globalTeardown: '<rootDir>/platform/src/testing/jest-global-teardown.ts',
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] },
  // Child processes rather than worker threads: suites start servers, handle signals and fork.
  runner: 'jest-light-runner/child-process',
  setupFilesAfterEnv: ['<rootDir>/platform/src/testing/jest-light-setup.mjs'],
  maxWorkers: 2,
  roots: PACKAGES.map((dir) => `<rootDir>/${dir}/src`),
  testMatch: ['**/__tests__/**/*.test.ts'],
};

export default config;
