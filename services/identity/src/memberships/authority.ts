import { isPermission, roleDefaults, roleRank, type AccountChain, type Permission, type Role } from '@platform/authz';
import { AppError, errors } from '@platform/errors';
import type { IdentityContext } from '../context';

/** Catalogue names only, deduplicated; anything else is a clear BAD_USER_INPUT. */
export function assertPermissionNames(values: readonly string[] | null | undefined, field: string): Permission[] {
  const result = new Set<Permission>();
  for (const value of values ?? []) {
    if (!isPermission(value)) throw errors.badInput(`${field}: "${String(value).slice(0, 50)}" is not in the permission catalogue`, field);
    result.add(value);
  }
  return [...result].sort();
}

/** The highest role the caller holds on the account's chain (0 without a role, e.g. a key). */
export async function callerRank(ctx: IdentityContext, chain: AccountChain): Promise<number> {
  const grants = await ctx.access.grantsOn(chain);
  return Math.max(0, ...grants.map((g) => (g.role ? roleRank(g.role) : 0)));
}

/**
 * Nobody gives more than they hold (SPEC I3, I4, I7): the role must not rank above the caller's
 * own on that chain, and every permission given must be one the caller holds on the account.
 */
export async function assertCallerMayGive(
  ctx: IdentityContext,
  chain: AccountChain,
  what: { role?: Role | null; permissions?: readonly Permission[] },
): Promise<void> {
  if (what.role && roleRank(what.role) > (await callerRank(ctx, chain))) {
    throw new AppError('PERMISSION_ESCALATION', 'You cannot give a role above your own');
  }
  const held = await ctx.access.permissionsOn(chain.id);
  const wanted = [...(what.permissions ?? []), ...(what.role ? roleDefaults(what.role, chain.depth) : [])];
  // Holding `reports` covers giving `reports.own` (its narrower variant), likewise `inbox`.
  const holds = (p: Permission) => held.has(p) || (p.endsWith('.own') && held.has(p.slice(0, -'.own'.length) as Permission));
  const missing = wanted.filter((p) => !holds(p));
  if (missing.length > 0) {
    throw new AppError('PERMISSION_ESCALATION', `You cannot give permissions you do not hold: ${missing.join(', ')}`, { permissions: missing });
  }
}

export function assertOpenAccount(chain: AccountChain): void {
  if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account is closed');
}
