import { mutate } from '@platform/audit';
import { assertAuthorityOver, roleRank, type AccountChain } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import type { MembershipLimitsInput, MembershipStatus } from '../__generated__/resolvers-types';
import { auditScope, type IdentityContext } from '../context';
import { assertCallerMayGive, assertOpenAccount, assertPermissionNames, callerRank } from './authority';
import { MembershipStore, type ContactGroupGrantRow, type MembershipRow } from './store';

const MAX_LIST = 500;

/** What the activity log keeps of a membership's role and permissions. */
export const permissionsView = (m: MembershipRow) => ({ role: m.role, status: m.status, granted: m.grantedPermissions, revoked: m.revokedPermissions });
const limitsView = (m: MembershipRow) => ({ allowedSenderIds: m.allowedSenderIds, contactAccess: m.contactAccess, contactGroups: m.contactGroups });

/** Admins manage memberships of accounts they administer (SPEC I1, I2, I3, I6). */
export class MembershipService {
  constructor(private readonly ctx: IdentityContext) {}

  async removeMember(accountId: string, userId: string): Promise<boolean> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'users');
    assertId(userId, 'userId');
    return mutate(auditScope(this.ctx, chain), 'removeAccountMember', async (tx) => {
      // Serialise removals on one account so two admins cannot remove each other as the last admin.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`memberships:${chain.id}`]);
      const repository = new MembershipStore(tx);
      const target = await repository.findMembership(userId, chain.id);
      if (target && roleRank(target.role) > (await callerRank(this.ctx, chain))) {
        throw new AppError('PERMISSION_ESCALATION', 'You cannot remove a member whose role is above your own');
      }
      const removed = await repository.deleteMembership(chain.id, userId);
      if (!removed) throw errors.notFound('Membership');
      if (chain.depth === 0 && removed.role === 'ADMIN' && (await repository.countActiveAdmins(chain.id)) === 0) {
        throw new AppError('INVALID_STATE', 'A parent account keeps at least one admin');
      }
      return { result: true, targetType: 'Membership', targetId: removed.id, before: permissionsView(removed) };
    });
  }

  async setPermissions(membershipId: string, granted: string[], revoked: string[]): Promise<MembershipRow> {
    const grantedPermissions = assertPermissionNames(granted, 'granted');
    const revokedPermissions = assertPermissionNames(revoked, 'revoked');
    if (revokedPermissions.includes('account.view')) throw errors.badInput('account.view cannot be revoked; remove or deactivate the membership instead', 'revoked');
    const both = grantedPermissions.filter((p) => revokedPermissions.includes(p));
    if (both.length > 0) throw errors.badInput(`A permission cannot be both granted and revoked: ${both.join(', ')}`, 'granted');
    return this.changeMembership(membershipId, 'setMembershipPermissions', async (chain, membership) => {
      // Revocations limit a user like I6 limits do: only someone above them lifts them.
      await this.assertAuthorityOver(chain, membership);
      await assertCallerMayGive(this.ctx, chain, { permissions: grantedPermissions });
      return { grantedPermissions, revokedPermissions, before: permissionsView(membership) };
    }, permissionsView);
  }

  async setStatus(membershipId: string, status: MembershipStatus): Promise<MembershipRow> {
    const action = status === 'ACTIVE' ? 'reactivateMembership' : 'deactivateMembership';
    return this.changeMembership(membershipId, action, async (chain, membership, repository) => {
      if (membership.status === status) throw new AppError('INVALID_STATE', `The membership is already ${status.toLowerCase()}`);
      if (status === 'INACTIVE' && chain.depth === 0 && membership.role === 'ADMIN' && (await repository.countActiveAdmins(chain.id)) <= 1) {
        throw new AppError('INVALID_STATE', 'A parent account keeps at least one active admin');
      }
      return { status, before: permissionsView(membership) };
    }, permissionsView);
  }

  async setLimits(membershipId: string, input: MembershipLimitsInput): Promise<MembershipRow> {
    const allowedSenderIds = allowedSenderIdsOf(input);
    const contactGroups = contactGroupsOf(input);
    return this.changeMembership(membershipId, 'setMembershipLimits', async (chain, membership) => {
      await this.assertAuthorityOver(chain, membership);
      return { allowedSenderIds, contactAccess: input.contactAccess, contactGroups, before: limitsView(membership) };
    }, limitsView);
  }

  /** Nobody sets their own limits, nor a peer's (SPEC I6): the shared authz rule of strictly more authority. */
  private assertAuthorityOver(chain: AccountChain, membership: MembershipRow): Promise<void> {
    return assertAuthorityOver(this.ctx.access, this.ctx.dataSource, chain, membership.userId, [{ role: membership.role, accountPath: chain.path }]);
  }

  /**
   * Loads the membership, checks the caller manages users on its account and outranks or equals
   * its role, applies the change and logs it, all in one transaction.
   */
  private async changeMembership(
    membershipId: string,
    action: string,
    decide: (
      chain: AccountChain,
      membership: MembershipRow,
      repository: MembershipStore,
    ) => Promise<Parameters<MembershipStore['updateMembership']>[1] & { before: unknown }>,
    view: (m: MembershipRow) => unknown,
  ): Promise<MembershipRow> {
    const id = assertId(membershipId, 'membershipId');
    const found = await this.ctx.memberships.findMembershipById(id);
    if (!found || !(await this.ctx.access.canView(found.accountId))) throw errors.notFound('Membership');
    const chain = await this.ctx.access.require(found.accountId, 'users');
    assertOpenAccount(chain);
    if (roleRank(found.role) > (await callerRank(this.ctx, chain))) {
      throw new AppError('PERMISSION_ESCALATION', 'You cannot change a membership whose role is above your own');
    }
    const updated = await mutate(auditScope(this.ctx, chain), action, async (tx) => {
      const repository = new MembershipStore(tx);
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`memberships:${chain.id}`]);
      const membership = (await repository.findMembershipById(id, { forUpdate: true }))!;
      const { before, ...change } = await decide(chain, membership, repository);
      const changed = await repository.updateMembership(id, change);
      return { result: changed, targetType: 'Membership', targetId: id, before, after: view(changed) };
    });
    this.ctx.loaders.membershipsByUserId.clear(updated.userId);
    return updated;
  }
}

/** The sender ids a limited membership may use (deduplicated), or null for every sender id of the account. */
function allowedSenderIdsOf(input: MembershipLimitsInput): string[] | null {
  if (input.allSenderIds) {
    if (input.allowedSenderIds?.length) throw errors.badInput('allowedSenderIds must be empty when allSenderIds is true', 'allowedSenderIds');
    return null;
  }
  if (!input.allowedSenderIds) throw errors.badInput('allowedSenderIds is required when allSenderIds is false', 'allowedSenderIds');
  if (input.allowedSenderIds.length > MAX_LIST) throw errors.badInput(`At most ${MAX_LIST} sender ids`, 'allowedSenderIds');
  return [...new Set(input.allowedSenderIds.map((id) => assertId(id, 'allowedSenderIds')))];
}

/** The contact groups of SELECTED access, each once; none for ALL. */
function contactGroupsOf(input: MembershipLimitsInput): ContactGroupGrantRow[] {
  if (input.contactAccess !== 'SELECTED') {
    if (input.contactGroups?.length) throw errors.badInput('contactGroups must be empty when contactAccess is ALL', 'contactGroups');
    return [];
  }
  if (!input.contactGroups) throw errors.badInput('contactGroups is required when contactAccess is SELECTED', 'contactGroups');
  if (input.contactGroups.length > MAX_LIST) throw errors.badInput(`At most ${MAX_LIST} contact groups`, 'contactGroups');
  const seen = new Set<string>();
  return input.contactGroups.map((group) => {
    const groupId = assertId(group.groupId, 'contactGroups.groupId');
    if (seen.has(groupId)) throw errors.badInput('A contact group is listed twice', 'contactGroups');
    seen.add(groupId);
    return { groupId, access: group.access };
  });
}
