import type { Role } from '@platform/authz';
import type { IdentityContext } from '../context';
import { effectiveInvitationStatus, InvitationService } from './service';
import type { InvitationRow } from './store';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

const Invitation = {
  account: (invitation: InvitationRow) => ({ __typename: 'Account', id: invitation.account_id }),
  accountId: (invitation: InvitationRow) => invitation.account_id,
  grantedPermissions: (invitation: InvitationRow) => invitation.granted_permissions,
  status: (invitation: InvitationRow) => effectiveInvitationStatus(invitation),
  createdAt: (invitation: InvitationRow) => iso(invitation.created_at),
  expiresAt: (invitation: InvitationRow) => iso(invitation.expires_at),
  respondedAt: (invitation: InvitationRow) => iso(invitation.responded_at),
};

export const resolvers = {
  Mutation: {
    addAccountMember: (_root: unknown, args: { accountId: string; email: string; role: Role }, ctx: IdentityContext) =>
      new InvitationService(ctx).addMember(args.accountId, args.email, args.role),
    inviteUser: (_root: unknown, args: { accountId: string; email: string; role: Role; permissions?: string[] | null }, ctx: IdentityContext) =>
      new InvitationService(ctx).invite(args.accountId, args.email, args.role, args.permissions),
    revokeInvitation: (_root: unknown, args: { invitationId: string }, ctx: IdentityContext) => new InvitationService(ctx).revoke(args.invitationId),
    acceptInvitation: (_root: unknown, args: { token: string; name?: string | null; password?: string | null }, ctx: IdentityContext) =>
      new InvitationService(ctx).accept(args.token, args.name, args.password),
    declineInvitation: (_root: unknown, args: { token: string }, ctx: IdentityContext) => new InvitationService(ctx).decline(args.token),
  },
  Account: {
    invitations: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.invitationsByAccountId.load(account.id),
  },
  Invitation,
};
