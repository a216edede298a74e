type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

/**
 * The workspace's one loader of jose (principal tokens, SSO). jose 6 is an ES module only;
 * Node >= 20.19 loads it with require (and jest transforms it, see jest.config.ts), which keeps
 * these CommonJS packages free of dynamic imports.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose: Jose = require('jose');
export type { JWK, JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
