import { assertAuthorityOver, type AccountChain, type Role } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import { recordActivity } from './activity';
import { InvitationService } from './invitation-service';
import type { InvitationRow } from './repositories/access-repository';
import type { IdentityContext } from './context';
import { IdentityRepository, type ContactGroupGrantRow, type MembershipRow } from './repositories/identity-repository';
import { assertCallerMayGive, assertOpenAccount, assertPermissionNames, callerRank } from './scope';
import { normaliseEmail } from './session-service';
import { roleRank } from '@platform/authz';

export interface MembershipLimitsInput {
  allSenderIds: boolean;
  allowedSenderIds?: string[] | null;
  contactAccess: 'ALL' | 'SELECTED';
  contactGroups?: { groupId: string; access: 'RESTRICTED' | 'FULL' }[] | null;
}

const MAX_LIST = 500;

const permissionsView = (m: MembershipRow) => ({ role: m.role, status: m.status, granted: m.granted_permissions, revoked: m.revoked_permissions });
const limitsView = (m: MembershipRow) => ({ allowedSenderIds: m.allowed_sender_ids, contactAccess: m.contact_access, contactGroups: m.contact_groups });

/** Admins manage memberships of accounts they administer (SPEC I1, I2, I3, I6). */
export class MembershipService {
  constructor(private readonly ctx: IdentityContext) {}

  /**
   * A login the caller already sees as a member of one of their accounts is added at once. Any
   * other email — another tree's login, or none — is invited instead (the user accepts), and the
   * answer is the same whichever it is: nobody learns whether an email has a login, and nobody is
   * added to a tree without their consent.
   */
  async addMember(accountId: string, email: string, role: Role): Promise<{ membership: MembershipRow | null; invitation: InvitationRow | null }> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'users');
    assertOpenAccount(chain);
    await assertCallerMayGive(this.ctx, chain, { role });
    const normalisedEmail = normaliseEmail(email);
    const user = await this.ctx.identity.findUserByEmail(normalisedEmail);
    if (!user || !(await this.callerSeesAsMember(user.id))) {
      return { membership: null, invitation: await new InvitationService(this.ctx).invite(chain.id, normalisedEmail, role, null) };
    }
    return this.ctx.dataSource.transaction(async (manager) => {
      const membership = await new IdentityRepository(manager).insertMembership({ userId: user.id, accountId: chain.id, role, createdBy: this.ctx.access.userId });
      if (!membership) throw new AppError('ALREADY_EXISTS', 'The user is already a member of this account');
      await recordActivity(manager, this.ctx, chain, 'addAccountMember', { targetType: 'Membership', targetId: membership.id, after: permissionsView(membership) });
      return { membership, invitation: null };
    });
  }

  /** The user has a membership on an account whose members the caller may list (users.view). */
  private async callerSeesAsMember(userId: string): Promise<boolean> {
    for (const membership of await this.ctx.identity.findMembershipsByUserIds([userId])) {
      if (await this.ctx.access.can(membership.account_id, 'users.view')) return true;
    }
    return false;
  }

  async removeMember(accountId: string, userId: string): Promise<boolean> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'users');
    assertId(userId, 'userId');
    return this.ctx.dataSource.transaction(async (manager) => {
      // Serialise removals on one account so two admins cannot remove each other as the last admin.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`memberships:${chain.id}`]);
      const repository = new IdentityRepository(manager);
      const target = await repository.findMembership(userId, chain.id);
      if (target && roleRank(target.role) > (await callerRank(this.ctx, chain))) {
        throw new AppError('PERMISSION_ESCALATION', 'You cannot remove a member whose role is above your own');
      }
      const removed = await repository.deleteMembership(chain.id, userId);
      if (!removed) throw errors.notFound('Membership');
      if (chain.depth === 0 && removed.role === 'ADMIN' && (await repository.countActiveAdmins(chain.id)) === 0) {
        throw new AppError('INVALID_STATE', 'A parent account keeps at least one admin');
      }
      await recordActivity(manager, this.ctx, chain, 'removeAccountMember', { targetType: 'Membership', targetId: removed.id, before: permissionsView(removed) });
      return true;
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

  async setStatus(membershipId: string, status: 'ACTIVE' | 'INACTIVE'): Promise<MembershipRow> {
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
    let allowedSenderIds: string[] | null = null;
    if (!input.allSenderIds) {
      if (!input.allowedSenderIds) throw errors.badInput('allowedSenderIds is required when allSenderIds is false', 'allowedSenderIds');
      if (input.allowedSenderIds.length > MAX_LIST) throw errors.badInput(`At most ${MAX_LIST} sender ids`, 'allowedSenderIds');
      allowedSenderIds = [...new Set(input.allowedSenderIds.map((id) => assertId(id, 'allowedSenderIds')))];
    } else if (input.allowedSenderIds?.length) {
      throw errors.badInput('allowedSenderIds must be empty when allSenderIds is true', 'allowedSenderIds');
    }
    const contactGroups: ContactGroupGrantRow[] = [];
    if (input.contactAccess === 'SELECTED') {
      if (!input.contactGroups) throw errors.badInput('contactGroups is required when contactAccess is SELECTED', 'contactGroups');
      if (input.contactGroups.length > MAX_LIST) throw errors.badInput(`At most ${MAX_LIST} contact groups`, 'contactGroups');
      const seen = new Set<string>();
      for (const group of input.contactGroups) {
        const groupId = assertId(group.groupId, 'contactGroups.groupId');
        if (seen.has(groupId)) throw errors.badInput('A contact group is listed twice', 'contactGroups');
        seen.add(groupId);
        contactGroups.push({ groupId, access: group.access });
      }
    } else if (input.contactGroups?.length) {
      throw errors.badInput('contactGroups must be empty when contactAccess is ALL', 'contactGroups');
    }
    return this.changeMembership(membershipId, 'setMembershipLimits', async (chain, membership) => {
      await this.assertAuthorityOver(chain, membership);
      return { allowedSenderIds, contactAccess: input.contactAccess, contactGroups, before: limitsView(membership) };
    }, limitsView);
  }

  /** Nobody sets their own limits, nor a peer's (SPEC I6): the shared authz rule of strictly more authority. */
  private assertAuthorityOver(chain: AccountChain, membership: MembershipRow): Promise<void> {
    return assertAuthorityOver(this.ctx.access, this.ctx.dataSource, chain, membership.user_id, [{ role: membership.role, accountPath: chain.path }]);
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
      repository: IdentityRepository,
    ) => Promise<Parameters<IdentityRepository['updateMembership']>[1] & { before: unknown }>,
    view: (m: MembershipRow) => unknown,
  ): Promise<MembershipRow> {
    const id = assertId(membershipId, 'membershipId');
    const found = await this.ctx.identity.findMembershipById(id);
    if (!found || !(await this.ctx.access.canView(found.account_id))) throw errors.notFound('Membership');
    const chain = await this.ctx.access.require(found.account_id, 'users');
    assertOpenAccount(chain);
    if (roleRank(found.role) > (await callerRank(this.ctx, chain))) {
      throw new AppError('PERMISSION_ESCALATION', 'You cannot change a membership whose role is above your own');
    }
    return this.ctx.dataSource.transaction(async (manager) => {
      const repository = new IdentityRepository(manager);
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`memberships:${chain.id}`]);
      const membership = (await repository.findMembershipById(id, { forUpdate: true }))!;
      const { before, ...change } = await decide(chain, membership, repository);
      const updated = await repository.updateMembership(id, change);
      await recordActivity(manager, this.ctx, chain, action, { targetType: 'Membership', targetId: id, before, after: view(updated) });
      this.ctx.loaders.membershipsByUserId.clear(updated.user_id);
      return updated;
    });
  }
}
