import { effectivePermissions, PERMISSIONS } from '@platform/authz';
import { timeIdPageRequest, withTotalCount } from '@platform/db';
import type { AccountResolvers, MembershipResolvers, MutationResolvers, QueryResolvers, Resolvers, ViewerResolvers } from '../__generated__/resolvers-types';
import { MembershipService } from './service';

/** Page sizes of identity's lists of an account (members, invitations, API keys). */
export const IDENTITY_PAGE = { defaultSize: 20, maxSize: 100 } as const;

const Membership: MembershipResolvers = {
  account: (membership) => ({ __typename: 'Account', id: membership.accountId }),
  // memberships.user_id references identity.users: the user is always there.
  user: async (membership, _args, ctx) => (await ctx.loaders.userById.load(membership.userId))!,
  effectivePermissions: async (membership, _args, ctx) => {
    const chain = await ctx.access.chains.load(membership.accountId);
    return [...effectivePermissions(membership.role, chain?.depth ?? 0, membership.grantedPermissions, membership.revokedPermissions)].sort();
  },
  /** GUEST when the user's first (home) membership is in another tree (SPEC I4, I5). */
  type: async (membership, _args, ctx) => {
    const home = (await ctx.loaders.membershipsByUserId.load(membership.userId))[0];
    if (!home || home.accountId === membership.accountId) return 'MEMBER';
    const [homeChain, chain] = await Promise.all([ctx.access.chains.load(home.accountId), ctx.access.chains.load(membership.accountId)]);
    return homeChain && chain && homeChain.rootId !== chain.rootId ? 'GUEST' : 'MEMBER';
  },
  limits: (membership) => ({
    allSenderIds: membership.allowedSenderIds === null,
    allowedSenderIds: membership.allowedSenderIds ?? [],
    contactAccess: membership.contactAccess,
    contactGroups: membership.contactGroups,
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
  members: async (account, args, ctx) => {
    const filter = { role: args.filter?.role ?? null, status: args.filter?.status ?? null, type: args.filter?.type ?? null };
    const page = timeIdPageRequest(args, IDENTITY_PAGE);
    const connection = await ctx.loaders.memberPages.pages.for({ filter, page }).load(account.id);
    return withTotalCount(connection, () => ctx.loaders.memberPages.counts.for(filter).load(account.id));
  },
};

const Viewer: ViewerResolvers = {
  memberships: async (viewer, _args, ctx) => (viewer.user ? ctx.memberships.findAccessList(viewer.user.id) : []),
};

export const resolvers: Resolvers = { Query, Mutation, Account, Viewer, Membership };
