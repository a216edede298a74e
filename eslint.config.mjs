// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/__generated__/**', '.data/**', 'schema/**', '**/dist/**', 'portal/test-results/**'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      // The compiler reports unused names (noUnusedLocals/Parameters); `_name` marks one kept on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      'no-control-regex': 'off',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // Above the services (and beside them) only their package entry points are imported; shared/ imports no service at all.
    files: ['gateway/**/*.ts', 'platform/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/services/**', '@platform/*/src/**'], message: 'Import a service through its package entry point (@platform/<name>).' }] }],
    },
  },
  {
    // The portal is a client of the public API, nothing more: its browser code imports no package of the platform.
    files: ['portal/src/**/*.ts', 'portal/src/**/*.tsx'],
    ignores: ['portal/src/__tests__/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['@platform/*', '../../**'], message: 'The portal reaches the platform only through the gateway.' }] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/services/**', '@platform/account-hierarchy', '@platform/identity', '@platform/messaging', '@platform/billing', '@platform/gateway', '@platform/platform', '@platform/platform/*'], message: 'shared/ is the ground floor: it imports no service, gateway or platform.' }] }],
    },
  },
);
