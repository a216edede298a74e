import DataLoader from 'dataloader';
import type { AccessControl, AccountChain } from '@platform/authz';
import { isUuid } from '@platform/errors';
import { AccountRepository, type AccountRow } from '../repositories/account-repository';
import { resolveSettings, type EffectiveSettings, type SettingValues } from '../settings';

export interface HierarchyLoaders {
  accountById: DataLoader<string, AccountRow | null>;
  childrenByParentId: DataLoader<string, AccountRow[]>;
  settingsByAccountId: DataLoader<string, EffectiveSettings | null>;
  /** Remembers rows loaded by list queries so later field resolvers and authz checks reuse them. */
  prime(rows: AccountRow[], chainOfRoot?: AccountChain | null): void;
}

/** Per-request loaders: each batches all keys of one tick into one SQL statement. */
export function createHierarchyLoaders(repository: AccountRepository, access: AccessControl): HierarchyLoaders {
  const accountById = new DataLoader<string, AccountRow | null>(async (ids) => {
    const rows = await repository.findByIds(ids.filter(isUuid));
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
  });

  const childrenByParentId = new DataLoader<string, AccountRow[]>(async (parentIds) => {
    const rows = await repository.findChildren(parentIds);
    const byParent = new Map<string, AccountRow[]>(parentIds.map((id) => [id, []]));
    for (const row of rows) byParent.get(row.parent_id!)?.push(row);
    prime(rows);
    return parentIds.map((id) => byParent.get(id) ?? []);
  });

  const overridesByAccountId = new DataLoader<string, Partial<SettingValues> | null>(async (ids) => {
    const byId = await repository.findSettings(ids);
    return ids.map((id) => byId.get(id) ?? null);
  });

  const settingsByAccountId = new DataLoader<string, EffectiveSettings | null>(async (ids) => {
    const chains = await access.chains.loadMany(ids);
    const pathIds = new Set<string>();
    for (const chain of chains) if (chain && !(chain instanceof Error)) chain.path.forEach((id) => pathIds.add(id));
    const overrides = await overridesByAccountId.loadMany([...pathIds]);
    const overridesMap = new Map<string, Partial<SettingValues>>();
    [...pathIds].forEach((id, i) => {
      const value = overrides[i];
      if (value && !(value instanceof Error)) overridesMap.set(id, value);
    });
    return chains.map((chain) => (chain && !(chain instanceof Error) ? resolveSettings(chain.path, overridesMap) : null));
  });

  /**
   * Primes the loaders with rows of a subtree listed in parent-before-child order; their chains
   * (and chain statuses) follow from the parents', so no per-row query is needed.
   */
  function prime(rows: AccountRow[], chainOfRoot?: AccountChain | null): void {
    const chainStatus = new Map<string, AccountChain['chainStatus']>();
    const suspendedFrom = new Map<string, number | null>();
    if (chainOfRoot) {
      chainStatus.set(chainOfRoot.id, chainOfRoot.chainStatus);
      suspendedFrom.set(chainOfRoot.id, chainOfRoot.suspendedFromDepth);
    }
    for (const row of rows) {
      accountById.prime(row.id, row);
      const parentStatus = row.parent_id ? chainStatus.get(row.parent_id) : 'ACTIVE';
      if (parentStatus === undefined) continue;
      const status = parentStatus === 'CLOSED' || row.status === 'CLOSED' ? 'CLOSED' : parentStatus === 'SUSPENDED' || row.status === 'SUSPENDED' ? 'SUSPENDED' : 'ACTIVE';
      chainStatus.set(row.id, status);
      const suspendedFromDepth = (row.parent_id ? suspendedFrom.get(row.parent_id) : null) ?? (row.status === 'SUSPENDED' ? row.depth : null);
      suspendedFrom.set(row.id, suspendedFromDepth);
      access.chains.prime(row.id, {
        id: row.id,
        rootId: row.root_id,
        parentId: row.parent_id,
        path: row.path,
        depth: row.depth,
        status: row.status,
        chainStatus: status,
        suspendedFromDepth,
      });
    }
  }

  return { accountById, childrenByParentId, settingsByAccountId, prime };
}
