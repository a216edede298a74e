import type { Sql } from '@platform/db';
import { AppError } from '@platform/errors';
import { AccessControl, type AccountChain } from './access-control';
import { roleRank, type Role } from './permissions';

/** A role held on an account (a membership or an API key's scope); null role ranks below every role. */
export interface AuthorityGrant {
  role: Role | null;
  /** the account's path, root first, the account itself last */
  accountPath: readonly string[];
}

const rank = (grant: AuthorityGrant) => (grant.role ? roleRank(grant.role) : 0);

/**
 * Strictly more authority on one chain (SPEC I6: who may set a user's limits): one of the
 * caller's grants on the chain dominates every grant of the target on it — a higher role, or
 * an equal one held on a strict ancestor. Peers (same role, same account) do not outrank each
 * other, and nobody outranks themselves.
 */
export function hasAuthorityOver(caller: readonly AuthorityGrant[], target: readonly AuthorityGrant[], chain: AccountChain): boolean {
  const onChain = (g: AuthorityGrant) => chain.path.includes(g.accountPath[g.accountPath.length - 1]);
  const targetGrants = target.filter(onChain);
  return caller.filter(onChain).some((mine) =>
    targetGrants.every((theirs) => rank(mine) > rank(theirs) || (rank(mine) === rank(theirs) && mine.accountPath.length < theirs.accountPath.length)),
  );
}

/**
 * AUTHORITY_REQUIRED unless the caller has strictly more authority than `targetUserId` on the
 * chain: their own limits are never theirs to change. `targetGrants` adds grants the target's
 * active memberships do not show (e.g. the inactive membership being changed).
 */
export async function assertAuthorityOver(
  access: AccessControl,
  db: Sql,
  chain: AccountChain,
  targetUserId: string,
  targetGrants: readonly AuthorityGrant[] = [],
): Promise<void> {
  const refuse = () =>
    new AppError('AUTHORITY_REQUIRED', "Only someone with more authority on this account than the user (an admin of an ancestor, or a higher role) may change the user's limits");
  if (access.userId === targetUserId) throw refuse();
  const target = new AccessControl({ kind: 'USER', id: targetUserId, actingAccountId: null, sessionId: null }, db);
  const [mine, theirs] = await Promise.all([access.grantsOn(chain), target.grantsOn(chain)]);
  if (!hasAuthorityOver(mine, [...theirs, ...targetGrants], chain)) throw refuse();
}
