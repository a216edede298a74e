import { defineSubgraph } from '@platform/server';
import { accountsModule } from './accounts';
import { createHierarchyContext } from './context';
import { customersModule } from './customers';
import { createHierarchyDataSource, SCHEMA } from './data-source';
import { seedHierarchyDemo } from './seed';
import { settingsModule } from './settings';

export const service = defineSubgraph({
  name: 'account-hierarchy',
  databaseSchema: SCHEMA,
  modules: [accountsModule, settingsModule, customersModule],
  createDataSource: createHierarchyDataSource,
  createContext: createHierarchyContext,
  seed: seedHierarchyDemo,
});
export { insertAccountTree, type GeneratedTree } from './accounts/generated-tree';
