import { roleRank, type Role } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import type { IdentityContext } from './context';
import { IdentityRepository, type MembershipRow } from './repositories/identity-repository';
import { normaliseEmail } from './session-service';

/** Admins add and remove existing users on accounts they administer (SPEC I1, I2). */
export class MembershipService {
  constructor(private readonly ctx: IdentityContext) {}

  async addMember(accountId: string, email: string, role: Role): Promise<MembershipRow> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'users');
    if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account is closed');
    const callerGrants = await this.ctx.access.grantsOn(chain);
    const callerRank = Math.max(...callerGrants.map((g) => (g.role ? roleRank(g.role) : 0)));
    if (roleRank(role) > callerRank) throw new AppError('FORBIDDEN', 'You cannot give a role above your own');
    const user = await this.ctx.identity.findUserByEmail(normaliseEmail(email));
    if (!user) throw errors.notFound('User');
    const membership = await this.ctx.identity.insertMembership({
      userId: user.id,
      accountId: chain.id,
      role,
      createdBy: this.ctx.access.userId,
    });
    if (!membership) throw new AppError('ALREADY_EXISTS', 'The user is already a member of this account');
    return membership;
  }

  async removeMember(accountId: string, userId: string): Promise<boolean> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'users');
    assertId(userId, 'userId');
    return this.ctx.dataSource.transaction(async (manager) => {
      // Serialise removals on one account so two admins cannot remove each other as the last admin.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`memberships:${chain.id}`]);
      const repository = new IdentityRepository(manager);
      const removed = await repository.deleteMembership(chain.id, userId);
      if (!removed) throw errors.notFound('Membership');
      if (chain.depth === 0 && removed.role === 'ADMIN' && (await repository.countActiveAdmins(chain.id)) === 0) {
        throw new AppError('INVALID_STATE', 'A parent account keeps at least one admin');
      }
      return true;
    });
  }
}
