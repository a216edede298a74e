import type { AccountResolvers, InvitationResolvers, MutationResolvers, Resolvers } from '../__generated__/resolvers-types';
import { effectiveInvitationStatus, InvitationService } from './service';

const Invitation: InvitationResolvers = {
  account: (invitation) => ({ __typename: 'Account', id: invitation.account_id }),
  accountId: (invitation) => invitation.account_id,
  grantedPermissions: (invitation) => invitation.granted_permissions,
  status: (invitation) => effectiveInvitationStatus(invitation),
  createdAt: (invitation) => invitation.created_at,
  expiresAt: (invitation) => invitation.expires_at,
  respondedAt: (invitation) => invitation.responded_at,
};

const Mutation: MutationResolvers = {
  addAccountMember: (_root, args, ctx) => new InvitationService(ctx).addMember(args.accountId, args.email, args.role),
  inviteUser: (_root, args, ctx) => new InvitationService(ctx).invite(args.accountId, args.email, args.role, args.permissions),
  revokeInvitation: (_root, args, ctx) => new InvitationService(ctx).revoke(args.invitationId),
  acceptInvitation: (_root, args, ctx) => new InvitationService(ctx).accept(args.token, args.name, args.password),
  declineInvitation: (_root, args, ctx) => new InvitationService(ctx).decline(args.token),
};

const Account: AccountResolvers = {
  invitations: (account, _args, ctx) => ctx.loaders.invitationsByAccountId.load(account.id),
};

export const resolvers: Resolvers = { Mutation, Account, Invitation };
