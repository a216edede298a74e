import { effectivePermissions, PERMISSIONS } from '@platform/authz';
import type { AccountResolvers, MembershipResolvers, MutationResolvers, QueryResolvers, Resolvers, ViewerResolvers } from '../__generated__/resolvers-types';
import { MembershipService } from './service';

const Membership: MembershipResolvers = {
  account: (membership) => ({ __typename: 'Account', id: membership.account_id }),
  accountId: (membership) => membership.account_id,
  // memberships.user_id references identity.users: the user is always there.
  user: async (membership, _args, ctx) => (await ctx.loaders.userById.load(membership.user_id))!,
  userId: (membership) => membership.user_id,
  createdAt: (membership) => membership.created_at,
  grantedPermissions: (membership) => membership.granted_permissions,
  revokedPermissions: (membership) => membership.revoked_permissions,
  effectivePermissions: async (membership, _args, ctx) => {
    const chain = await ctx.access.chains.load(membership.account_id);
    return [...effectivePermissions(membership.role, chain?.depth ?? 0, membership.granted_permissions, membership.revoked_permissions)].sort();
  },
  /** GUEST when the user's first (home) membership is in another tree (SPEC I4, I5). */
  type: async (membership, _args, ctx) => {
    const home = (await ctx.loaders.membershipsByUserId.load(membership.user_id))[0];
    if (!home || home.account_id === membership.account_id) return 'MEMBER';
    const [homeChain, chain] = await Promise.all([ctx.access.chains.load(home.account_id), ctx.access.chains.load(membership.account_id)]);
    return homeChain && chain && homeChain.rootId !== chain.rootId ? 'GUEST' : 'MEMBER';
  },
  limits: (membership) => ({
    allSenderIds: membership.allowed_sender_ids === null,
    allowedSenderIds: membership.allowed_sender_ids ?? [],
    contactAccess: membership.contact_access,
    contactGroups: membership.contact_groups,
  }),
};

const Query: QueryResolvers = {
  permissionCatalogue: () => [...PERMISSIONS],
};

const Mutation: MutationResolvers = {
  removeAccountMember: (_root, args, ctx) => new MembershipService(ctx).removeMember(args.accountId, args.userId),
  setMembershipPermissions: (_root, args, ctx) => new MembershipService(ctx).setPermissions(args.membershipId, args.granted, args.revoked),
  deactivateMembership: (_root, args, ctx) => new MembershipService(ctx).setStatus(args.membershipId, 'INACTIVE'),
  reactivateMembership: (_root, args, ctx) => new MembershipService(ctx).setStatus(args.membershipId, 'ACTIVE'),
  setMembershipLimits: (_root, args, ctx) => new MembershipService(ctx).setLimits(args.membershipId, args.limits),
};

const Account: AccountResolvers = {
  members: (account, _args, ctx) => ctx.loaders.membershipsByAccountId.load(account.id),
};

const Viewer: ViewerResolvers = {
  memberships: (viewer, _args, ctx) => ctx.memberships.findAccessList(viewer.user.id),
};

export const resolvers: Resolvers = { Query, Mutation, Account, Viewer, Membership };
