type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

/**
 * jose 6 is an ES module only; Node >= 20.19 loads it with require (and jest transforms it, see
 * jest.config.ts), which keeps this CommonJS package free of dynamic imports.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const jose: Jose = require('jose');
export type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
