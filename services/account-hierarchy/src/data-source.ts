import { createDataSource, type DataSourceOverrides } from '@platform/db';
import { CreateAccounts1763800000000 } from './migrations/1763800000000-CreateAccounts';
import { CreateHierarchyActivityLog1763800030100 } from './migrations/1763800030100-CreateHierarchyActivityLog';
import { CreateHierarchyOutbox1763800090100 } from './migrations/1763800090100-CreateHierarchyOutbox';
import { CreateHierarchyOperatorLog1764650000000 } from './migrations/1764650000000-CreateOperatorLog';
import { ClosureRequests1764660000100 } from './migrations/1764660000100-ClosureRequests';
import { HierarchyRootIds1764916100000 } from './migrations/1764916100000-RootIds';
import { LockChainForSpending1765000000000 } from './migrations/1765000000000-LockChainForSpending';

export const SCHEMA = 'hierarchy';

export function createHierarchyDataSource(url: string, options: DataSourceOverrides = {}) {
  return createDataSource({
    url,
    schema: SCHEMA,
    migrations: [CreateAccounts1763800000000, CreateHierarchyActivityLog1763800030100, CreateHierarchyOutbox1763800090100, CreateHierarchyOperatorLog1764650000000, ClosureRequests1764660000100, HierarchyRootIds1764916100000, LockChainForSpending1765000000000],
    applicationName: 'account-hierarchy',
    ...options,
  });
}
