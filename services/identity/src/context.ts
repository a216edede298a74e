import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import { IdentityRepository, type MembershipRow, type UserRow } from './repositories/identity-repository';

export interface IdentityContext extends SubgraphRequestContext {
  dataSource: DataSource;
  identity: IdentityRepository;
  /** Users this request may show in full: the caller, and the user who has just logged in. */
  selfUserIds: Set<string>;
  loaders: {
    userById: DataLoader<string, UserRow | null>;
    membershipsByAccountId: DataLoader<string, MembershipRow[]>;
    membershipsByUserId: DataLoader<string, MembershipRow[]>;
  };
}

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

export function createIdentityContext(base: SubgraphRequestContext, dataSource: DataSource): IdentityContext {
  const identity = new IdentityRepository(dataSource);
  return {
    ...base,
    dataSource,
    identity,
    selfUserIds: new Set(base.access.userId ? [base.access.userId] : []),
    loaders: {
      userById: new DataLoader(async (ids) => {
        const rows = await identity.findUsersByIds(ids);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      membershipsByAccountId: new DataLoader(async (ids) => groupBy(ids, await identity.findMembershipsByAccountIds(ids), (r) => r.account_id)),
      membershipsByUserId: new DataLoader(async (ids) => groupBy(ids, await identity.findMembershipsByUserIds(ids), (r) => r.user_id)),
    },
  };
}
