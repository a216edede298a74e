import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import DataLoader from 'dataloader';
import { byKey } from '@platform/db';
import { createAccountLoaders, type AccountLoaders } from './accounts/loaders';
import { findClosureRequests, type ClosureRequestRow } from './customers/store';
import { AccountStore } from './accounts/store';
import { createSettingsLoaders, type SettingsLoaders } from './settings/loaders';

export interface HierarchyContext extends SubgraphRequestContext {
  dataSource: DataSource;
  accounts: AccountStore;
  loaders: AccountLoaders & SettingsLoaders & { closureRequestByAccountId: DataLoader<string, ClosureRequestRow | null> };
  /** After a change: forgets what this request cached about the tree (chains, rows, settings). */
  forgetCachedTree(): void;
}

export function createHierarchyContext(base: SubgraphRequestContext, dataSource: DataSource): HierarchyContext {
  const accounts = new AccountStore(dataSource);
  const loaders = {
    ...createAccountLoaders(accounts, base.access),
    ...createSettingsLoaders(dataSource, base.access),
    closureRequestByAccountId: new DataLoader<string, ClosureRequestRow | null>(async (ids) => byKey(ids, await findClosureRequests(dataSource, ids), (row) => row.accountId)),
  };
  return {
    ...base,
    dataSource,
    accounts,
    loaders,
    forgetCachedTree() {
      base.access.clearCache();
      loaders.forgetPrimed();
      loaders.accountById.clearAll();
      loaders.childPages.clearAll();
      loaders.childCounts.clearAll();
      loaders.descendantPages.clearAll();
      loaders.descendantCounts.clearAll();
      loaders.settingsByAccountId.clearAll();
    },
  };
}
