import { allow, isUser, rule, type AuthzContext } from '@platform/authz';
import { errors } from '@platform/errors';
import type { IdentityContext } from '../context';
import type { UserRow } from './store';

/** A user profile is visible to the user and to whoever may view users on one of its accounts. */
const canViewUser = rule({ cache: 'no_cache' })(async (user: UserRow, _args, ctx: IdentityContext) => {
  if (ctx.selfUserIds.has(user.id)) return true;
  const memberships = await ctx.loaders.membershipsByUserId.load(user.id);
  for (const membership of memberships) {
    if (await ctx.access.can(membership.accountId, 'users.view')) return true;
  }
  return errors.notFound('User');
});

/** `me`: a user session or an API key (operators have operatorMe). */
const isUserOrApiKey = rule({ cache: 'contextual' })((_parent, _args, ctx: AuthzContext) =>
  ['USER', 'API_KEY'].includes(ctx.access.principal.kind) && ctx.access.principal.id ? true : errors.unauthenticated('A user session or an API key is required'),
);

export const permissions = {
  Query: {
    me: isUserOrApiKey,
  },
  Mutation: {
    login: allow,
    switchAccount: isUser,
    logout: isUser,
  },
  Account: {
    id: allow,
  },
  User: canViewUser,
  // Reached only from the caller's own access list or a mutation's answer.
  Viewer: allow,
  AuthPayload: allow,
  // Page information of every list (the lists' own fields are guarded).
  PageInfo: allow,
};
