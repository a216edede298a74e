import path from 'node:path';
import { defineSubgraph, readTypeDefs } from '@platform/server';
import { createIdentityContext } from './context';
import { createIdentityDataSource, SCHEMA } from './data-source';
import { closeLoginThrottle } from './login-throttle';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { seedIdentityDemo } from './seed';

export { hashPassword, hashPasswordLegacyScrypt, verifyPassword } from './passwords';

export const service = defineSubgraph({
  name: 'identity',
  databaseSchema: SCHEMA,
  modules: [{ name: 'identity', typeDefs: readTypeDefs(path.join(__dirname, '..'), 'schema.graphql'), resolvers, permissions }],
  createDataSource: createIdentityDataSource,
  createContext: createIdentityContext,
  seed: seedIdentityDemo,
  stop: closeLoginThrottle,
});
