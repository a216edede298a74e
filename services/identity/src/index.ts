import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createIdentityContext, type IdentityContext } from './context';
import { closeLoginThrottle } from './login-throttle';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { createIdentityDataSource, SCHEMA as IDENTITY_SCHEMA } from './data-source';
export { seedIdentityDemo } from './seed';
export { hashPassword, hashPasswordLegacyScrypt } from './passwords';

export const identitySubgraph: SubgraphDefinition<IdentityContext> = {
  name: 'identity',
  serviceDir: path.join(__dirname, '..'),
  resolvers: resolvers as SubgraphDefinition<IdentityContext>['resolvers'],
  permissions,
  createContext: createIdentityContext,
  stop: closeLoginThrottle,
};
