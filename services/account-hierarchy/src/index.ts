import path from 'node:path';
import { defineSubgraph, readTypeDefs } from '@platform/server';
import { createHierarchyContext } from './context';
import { createHierarchyDataSource, SCHEMA } from './data-source';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { seedHierarchyDemo } from './seed';

export const service = defineSubgraph({
  name: 'account-hierarchy',
  databaseSchema: SCHEMA,
  modules: [{ name: 'accounts', typeDefs: readTypeDefs(path.join(__dirname, '..'), 'schema.graphql'), resolvers, permissions }],
  createDataSource: createHierarchyDataSource,
  createContext: createHierarchyContext,
  seed: seedHierarchyDemo,
});
