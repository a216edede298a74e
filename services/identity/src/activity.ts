import type { Sql } from '@platform/db';
import { appendActivity } from '@platform/audit';
import type { AccountChain, Principal } from '@platform/authz';
import type { IdentityContext } from './context';
import { SCHEMA } from './data-source';

export interface ActivityDetails {
  targetType?: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  /** Who acted when it is not the request's principal (a login, an accepted invitation). */
  principal?: Pick<Principal, 'kind' | 'id' | 'actingAccountId'>;
  actingAccountId?: string | null;
}

/** Writes identity's activity-log entry for `action` (the mutation name) inside `transaction`. */
export function recordActivity(transaction: Sql, ctx: IdentityContext, chain: AccountChain | null, action: string, details: ActivityDetails = {}) {
  return appendActivity(transaction, SCHEMA, {
    principal: details.principal ?? ctx.principal,
    treeId: chain?.rootId ?? null,
    targetAccountPath: chain?.path ?? [],
    action,
    targetType: details.targetType,
    targetId: details.targetId,
    before: details.before,
    after: details.after,
    actingAccountId: details.actingAccountId,
  });
}
