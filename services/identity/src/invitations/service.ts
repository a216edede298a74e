import { mutate } from '@platform/audit';
import { hashSecret, loadAccountNames, randomToken, type AccountChain, type Role } from '@platform/authz';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { auditScope, type IdentityContext } from '../context';
import { assertCallerMayGive, assertOpenAccount, assertPermissionNames } from '../memberships/authority';
import { permissionsView } from '../memberships/service';
import { MembershipStore, type MembershipRow } from '../memberships/store';
import { assertPassword, hashPassword } from '../sessions/passwords';
import { normaliseEmail, SessionService, type AuthPayloadValue } from '../sessions/service';
import { UserStore, type UserRow } from '../sessions/store';
import type { InvitationStatus } from '../__generated__/resolvers-types';
import { OperatorStore } from '../operators/store';
import { InvitationStore, type InvitationRow } from './store';

export const INVITATION_TOKEN_PREFIX = 'inv';
const TOKEN_PATTERN = new RegExp(`^${INVITATION_TOKEN_PREFIX}_[0-9A-Za-z]{43}$`);

/** SENT/PENDING past their expiry read as EXPIRED even before anything rewrites the row. */
export function effectiveInvitationStatus(invitation: InvitationRow, now = new Date()): InvitationStatus {
  if ((invitation.status === 'PENDING' || invitation.status === 'SENT') && invitation.expiresAt <= now) return 'EXPIRED';
  return invitation.status;
}

function refusalFor(invitation: InvitationRow | null): AppError {
  if (!invitation) return new AppError('INVALID_TOKEN', 'The invitation token is unknown');
  switch (effectiveInvitationStatus(invitation)) {
    case 'ACCEPTED':
    case 'DECLINED':
      return new AppError('TOKEN_ALREADY_USED', 'This invitation has already been answered');
    case 'EXPIRED':
      return new AppError('TOKEN_EXPIRED', 'This invitation has expired');
    case 'REVOKED':
      return new AppError('INVITATION_REVOKED', 'This invitation was revoked');
    default:
      return new AppError('INVALID_TOKEN', 'The invitation cannot be answered');
  }
}

const invitationView = (i: InvitationRow) => ({ email: i.email, role: i.role, grantedPermissions: i.grantedPermissions, status: i.status });

/**
 * Invitations and guests (SPEC I4): an email is invited to an account with a role; the token
 * (256 random bits, single use, stored as SHA-256, expiring) goes out through the mail sender.
 * An email that already has a login joins with that login — as a guest when its home is in
 * another tree.
 */
export class InvitationService {
  constructor(private readonly ctx: IdentityContext) {}

  async invite(accountId: string, email: string, role: Role, permissions: string[] | null | undefined): Promise<InvitationRow> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'users');
    const grantedPermissions = assertPermissionNames(permissions, 'permissions');
    assertOpenAccount(chain);
    await assertCallerMayGive(this.ctx, chain, { role, permissions: grantedPermissions });
    const inviterId = this.ctx.access.userId;
    if (!inviterId) throw errors.unauthenticated('A user session is required');
    const inviter = await this.ctx.loaders.userById.load(inviterId);
    return this.send(chain, 'inviteUser', { email, role, grantedPermissions, invitedBy: { userId: inviterId }, inviterName: inviter?.name ?? 'A colleague' });
  }

  /**
   * The platform operator invites a new customer's first admin (SPEC O2): ADMIN of the parent
   * account, through the same invitation flow (the mail names the account and the operator).
   */
  async inviteCustomerAdmin(accountId: string, email: string): Promise<InvitationRow> {
    const chain = await this.ctx.access.requireAsOperator(assertId(accountId, 'accountId'), 'customers.manage');
    if (chain.parentId !== null) throw errors.badInput("A customer's first admin is invited to its parent account", 'accountId');
    assertOpenAccount(chain);
    const operator = await new OperatorStore(this.ctx.dataSource).findById(this.ctx.principal.id!);
    if (!operator) throw errors.unauthenticated();
    return this.send(chain, 'inviteCustomerAdmin', { email, role: 'ADMIN', grantedPermissions: [], invitedBy: { operatorId: operator.id }, inviterName: `${operator.name} (the platform operator)` });
  }

  /** Records and mails one invitation, in one audited transaction; the mail names the account and who invited. */
  private async send(
    chain: AccountChain,
    action: string,
    invitation: { email: string; role: Role; grantedPermissions: string[]; invitedBy: { userId: string } | { operatorId: string }; inviterName: string },
  ): Promise<InvitationRow> {
    const normalisedEmail = normaliseEmail(invitation.email);
    const existingUser = await this.ctx.users.findUserByEmail(normalisedEmail);
    if (existingUser && (await this.ctx.memberships.findMembership(existingUser.id, chain.id))) {
      throw new AppError('ALREADY_EXISTS', 'This email is already a member of the account');
    }
    const accountName = (await loadAccountNames(this.ctx.dataSource, [chain.id])).get(chain.id) ?? 'an account';
    const token = randomToken(INVITATION_TOKEN_PREFIX);
    return mutate(auditScope(this.ctx, chain), action, async (tx) => {
      const repository = new InvitationStore(tx);
      await repository.expireOpenInvitations(chain.id, normalisedEmail);
      const created = await repository.insertInvitation({
        accountId: chain.id,
        email: normalisedEmail,
        role: invitation.role,
        grantedPermissions: invitation.grantedPermissions,
        tokenHash: hashSecret(token),
        invitedBy: invitation.invitedBy,
        ttlSeconds: this.ctx.config.invitationTtlSeconds,
      });
      if (!created) throw new AppError('ALREADY_EXISTS', 'An open invitation for this email exists already; revoke it first');
      await this.ctx.mailSender.send(tx, {
        accountId: chain.id,
        to: normalisedEmail,
        subject: `${invitation.inviterName} invited you to ${accountName}`,
        template: 'invitation',
        text: [
          `${invitation.inviterName} invited you to join ${accountName} as ${invitation.role}.`,
          `Accept: /invitations/accept?token=${token}`,
          `Invitation token: ${token}`,
          `It expires at ${created.expiresAt.toISOString()}.`,
        ].join('\n'),
      });
      const sent = await repository.markInvitationSent(created.id);
      return { result: sent, targetType: 'Invitation', targetId: sent.id, after: invitationView(sent) };
    });
  }

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
    const user = await this.ctx.users.findUserByEmail(normalisedEmail);
    if (!user || !(await this.callerSeesAsMember(user.id))) {
      return { membership: null, invitation: await this.invite(chain.id, normalisedEmail, role, null) };
    }
    return mutate(auditScope(this.ctx, chain), 'addAccountMember', async (tx) => {
      const membership = await new MembershipStore(tx).insertMembership({ userId: user.id, accountId: chain.id, role, createdBy: this.ctx.access.userId });
      if (!membership) throw new AppError('ALREADY_EXISTS', 'The user is already a member of this account');
      return { result: { membership, invitation: null }, targetType: 'Membership', targetId: membership.id, after: permissionsView(membership) };
    });
  }

  /** The user has a membership on an account whose members the caller may list (users.view). */
  private async callerSeesAsMember(userId: string): Promise<boolean> {
    for (const membership of await this.ctx.memberships.findMembershipsByUserIds([userId])) {
      if (await this.ctx.access.can(membership.accountId, 'users.view')) return true;
    }
    return false;
  }

  async revoke(invitationId: string): Promise<InvitationRow> {
    const id = assertId(invitationId, 'invitationId');
    const found = await this.ctx.invitations.findInvitationById(id);
    if (!found || !(await this.ctx.access.canView(found.accountId))) throw errors.notFound('Invitation');
    const chain = await this.ctx.access.require(found.accountId, 'users');
    return mutate(auditScope(this.ctx, chain), 'revokeInvitation', async (tx) => {
      const revoked = await new InvitationStore(tx).respondToInvitation(id, 'REVOKED');
      if (!revoked) throw new AppError('INVALID_STATE', `Only pending or sent invitations can be revoked (this one is ${effectiveInvitationStatus(found)})`);
      return { result: revoked, targetType: 'Invitation', targetId: id, before: invitationView(found), after: invitationView(revoked) };
    });
  }

  async decline(token: string): Promise<InvitationRow> {
    return this.declineInvitation(await this.findByToken(token), 'declineInvitation');
  }

  /** The signed-in user declines an open invitation to their email; any other answers NOT_FOUND. */
  async declineMine(invitationId: string): Promise<InvitationRow> {
    return this.declineInvitation(await this.findMine(invitationId), 'declineMyInvitation');
  }

  /** The signed-in user accepts an open invitation to their email; any other answers NOT_FOUND. */
  async acceptMine(invitationId: string): Promise<AuthPayloadValue> {
    const invitation = await this.findMine(invitationId);
    const user = (await this.ctx.loaders.userById.load(this.ctx.access.userId!))!;
    return this.claim(new SessionService(this.ctx), invitation, user, null, 'acceptMyInvitation');
  }

  /** Open invitations addressed to the signed-in user's email (SPEC I4 self-service). */
  async mine(): Promise<InvitationRow[]> {
    const user = this.ctx.access.userId ? await this.ctx.loaders.userById.load(this.ctx.access.userId) : null;
    return user ? this.ctx.invitations.openInvitationsFor(normaliseEmail(user.email)) : [];
  }

  /** Who invited, named as the invitation mail names them. */
  async inviterName(invitation: InvitationRow): Promise<string> {
    if (invitation.invitedByOperator) {
      const operator = await new OperatorStore(this.ctx.dataSource).findById(invitation.invitedByOperator);
      return `${operator?.name ?? 'The platform operator'} (the platform operator)`;
    }
    const inviter = invitation.invitedBy ? await this.ctx.loaders.userById.load(invitation.invitedBy) : null;
    return inviter?.name ?? 'A colleague';
  }

  private async findMine(invitationId: string): Promise<InvitationRow> {
    const id = assertId(invitationId, 'invitationId');
    const user = this.ctx.access.userId ? await this.ctx.loaders.userById.load(this.ctx.access.userId) : null;
    const invitation = await this.ctx.invitations.findInvitationById(id);
    // Another's invitation answers like an unknown one.
    if (!user || !invitation || invitation.email !== normaliseEmail(user.email)) throw errors.notFound('Invitation');
    if (effectiveInvitationStatus(invitation) !== invitation.status || !['PENDING', 'SENT'].includes(invitation.status)) throw refusalFor(invitation);
    return invitation;
  }

  private async declineInvitation(invitation: InvitationRow, action: 'declineInvitation' | 'declineMyInvitation'): Promise<InvitationRow> {
    const chain = await this.ctx.access.chains.load(invitation.accountId);
    return mutate(auditScope(this.ctx, chain), action, async (tx) => {
      const declined = await new InvitationStore(tx).respondToInvitation(invitation.id, 'DECLINED');
      if (!declined) throw refusalFor(await new InvitationStore(tx).findInvitationById(invitation.id));
      return { result: declined, targetType: 'Invitation', targetId: invitation.id, after: invitationView(declined) };
    });
  }

  /**
   * Exactly one of any number of concurrent redemptions wins: the claim is a conditional UPDATE.
   * The token only names the invitation: for an email that has a login, the caller must also be
   * that user (signed in, or with their password); otherwise the login is created here.
   */
  async accept(token: string, name?: string | null, password?: string | null): Promise<AuthPayloadValue> {
    const sessions = new SessionService(this.ctx);
    const attempt = await this.ctx.loginThrottle.begin(this.ctx.principal.clientAddress);
    const invitation = await this.findByToken(token);
    await this.ctx.loginThrottle.succeeded(attempt);
    const { existingUser, newUser } = await this.acceptingLogin(sessions, invitation.email, name, password);
    return this.claim(sessions, invitation, existingUser, newUser, 'acceptInvitation');
  }

  /** Claims the invitation for the accepting login (created here when new) and opens its session. */
  private async claim(
    sessions: SessionService,
    invitation: InvitationRow,
    existingUser: UserRow | null,
    newUser: { name: string; password: string } | null,
    action: 'acceptInvitation' | 'acceptMyInvitation',
  ): Promise<AuthPayloadValue> {
    const chain = await this.ctx.access.chains.load(invitation.accountId);
    if (!chain || chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account of this invitation is closed');
    return mutate(auditScope(this.ctx, chain), action, async (tx) => {
      const invitations = new InvitationStore(tx);
      const users = new UserStore(tx);
      const memberships = new MembershipStore(tx);
      const claimed = await invitations.respondToInvitation(invitation.id, 'ACCEPTED');
      if (!claimed) throw refusalFor(await invitations.findInvitationById(invitation.id));
      const user =
        existingUser ??
        // Hashed only by the request that won the claim: concurrent losers never pay for argon2.
        (await users.insertUser({ email: invitation.email, name: newUser!.name, passwordHash: await hashPassword(newUser!.password) }));
      // The email got a login since it was checked (e.g. through SSO): that login must consent.
      if (!user) throw new AppError('INVITATION_LOGIN_REQUIRED', 'This email has a login now: sign in as that user to accept the invitation');
      const membership = await memberships.insertMembership({
        userId: user.id,
        accountId: invitation.accountId,
        role: invitation.role,
        createdBy: invitation.invitedBy,
        grantedPermissions: invitation.grantedPermissions,
      });
      if (!membership) throw new AppError('ALREADY_EXISTS', 'You are already a member of this account');
      await invitations.linkInvitation(invitation.id, user.id, membership.id);
      const session = await sessions.openSession(users, user, invitation.accountId);
      return {
        result: session,
        principal: { kind: 'USER', id: user.id, actingAccountId: invitation.accountId },
        actingAccountId: invitation.accountId,
        targetType: 'Invitation',
        targetId: invitation.id,
        before: invitationView(invitation),
        after: { ...invitationView(claimed), membershipId: membership.id, newLogin: !existingUser },
      };
    });
  }

  /**
   * Who accepts: the email's login, when the caller is that user or gives its password; else the
   * login to create, with a valid name and password (and password sign-in allowed for the email).
   */
  private async acceptingLogin(
    sessions: SessionService,
    email: string,
    name: string | null | undefined,
    password: string | null | undefined,
  ): Promise<{ existingUser: UserRow | null; newUser: { name: string; password: string } | null }> {
    const existingUser = await this.ctx.users.findUserByEmail(email);
    if (existingUser) {
      const signedIn = this.ctx.principal.kind === 'USER' && this.ctx.principal.id === existingUser.id;
      if (!signedIn) {
        if (!password) throw new AppError('INVITATION_LOGIN_REQUIRED', 'This invitation is for an existing login: sign in as that user, or give its password, to accept it');
        await sessions.verifyCredentials(email, password);
      }
      return { existingUser, newUser: null };
    }
    await sessions.assertPasswordSignInAllowed(email);
    if (!name) throw errors.badInput('name is required to create your login', 'name');
    if (!password) throw errors.badInput('password is required to create your login', 'password');
    const validName = assertName(name);
    assertPassword(password);
    return { existingUser: null, newUser: { name: validName, password } };
  }

  private async findByToken(token: string): Promise<InvitationRow> {
    if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) throw new AppError('INVALID_TOKEN', 'The invitation token is malformed');
    const invitation = await this.ctx.invitations.findInvitationByTokenHash(hashSecret(token));
    if (!invitation || effectiveInvitationStatus(invitation) !== invitation.status || !['PENDING', 'SENT'].includes(invitation.status)) {
      throw refusalFor(invitation);
    }
    return invitation;
  }
}
