import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createHierarchyContext, type HierarchyContext } from './context';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { createHierarchyDataSource, SCHEMA as HIERARCHY_SCHEMA } from './data-source';
export { seedHierarchyDemo } from './seed';

export const hierarchySubgraph: SubgraphDefinition<HierarchyContext> = {
  name: 'account-hierarchy',
  serviceDir: path.join(__dirname, '..'),
  resolvers: resolvers as SubgraphDefinition<HierarchyContext>['resolvers'],
  permissions,
  createContext: createHierarchyContext,
};
