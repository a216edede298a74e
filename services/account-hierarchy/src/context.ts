import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import { createHierarchyLoaders, type HierarchyLoaders } from './loaders';
import { AccountRepository } from './repositories/account-repository';

export interface HierarchyContext extends SubgraphRequestContext {
  dataSource: DataSource;
  accounts: AccountRepository;
  loaders: HierarchyLoaders;
}

export function createHierarchyContext(base: SubgraphRequestContext, dataSource: DataSource): HierarchyContext {
  const accounts = new AccountRepository(dataSource);
  return { ...base, dataSource, accounts, loaders: createHierarchyLoaders(accounts, base.access) };
}
