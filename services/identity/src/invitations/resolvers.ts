import { timeIdPageRequest, withTotalCount } from '@platform/db';
import type { AccountResolvers, InvitationResolvers, MutationResolvers, Resolvers, ViewerResolvers } from '../__generated__/resolvers-types';
import { IDENTITY_PAGE } from '../memberships/resolvers';
import { effectiveInvitationStatus, InvitationService } from './service';

const Invitation: InvitationResolvers = {
  account: (invitation) => ({ __typename: 'Account', id: invitation.accountId }),
  status: (invitation) => effectiveInvitationStatus(invitation),
  accountName: async (invitation, _args, ctx) => (await ctx.loaders.accountNameById.load(invitation.accountId)) ?? 'an account',
  inviterName: (invitation, _args, ctx) => new InvitationService(ctx).inviterName(invitation),
};

const Viewer: ViewerResolvers = {
  invitations: (_viewer, _args, ctx) => new InvitationService(ctx).mine(),
};

const Mutation: MutationResolvers = {
  addAccountMember: (_root, args, ctx) => new InvitationService(ctx).addMember(args.accountId, args.email, args.role),
  inviteUser: (_root, args, ctx) => new InvitationService(ctx).invite(args.accountId, args.email, args.role, args.permissions),
  inviteCustomerAdmin: (_root, args, ctx) => new InvitationService(ctx).inviteCustomerAdmin(args.accountId, args.email),
  revokeInvitation: (_root, args, ctx) => new InvitationService(ctx).revoke(args.invitationId),
  acceptInvitation: (_root, args, ctx) => new InvitationService(ctx).accept(args.token, args.name, args.password),
  declineInvitation: (_root, args, ctx) => new InvitationService(ctx).decline(args.token),
  acceptMyInvitation: (_root, args, ctx) => new InvitationService(ctx).acceptMine(args.invitationId),
  declineMyInvitation: (_root, args, ctx) => new InvitationService(ctx).declineMine(args.invitationId),
};

const Account: AccountResolvers = {
  invitations: async (account, args, ctx) => {
    const page = timeIdPageRequest(args, IDENTITY_PAGE);
    const connection = await ctx.loaders.invitationPages.pages.for({ filter: {}, page }).load(account.id);
    return withTotalCount(connection, () => ctx.loaders.invitationPages.counts.for({}).load(account.id));
  },
};

export const resolvers: Resolvers = { Mutation, Account, Invitation, Viewer };
