import { errors, isUuid } from '@platform/errors';
import type { IdentityContext } from '../context';
import { JSONScalar } from './json-scalar';
import { SessionService } from './service';
import type { UserRow } from './store';

const accountReference = (id: string | null) => (id ? { __typename: 'Account', id } : null);

export const resolvers = {
  JSON: JSONScalar,
  Query: {
    me: async (_root: unknown, _args: unknown, ctx: IdentityContext) => {
      const userId = ctx.access.userId;
      const user = userId ? await ctx.loaders.userById.load(userId) : null;
      if (!user) throw errors.unauthenticated();
      return { user };
    },
  },
  Mutation: {
    login: (_root: unknown, args: { email: string; password: string; accountId?: string | null }, ctx: IdentityContext) =>
      new SessionService(ctx).login(args.email, args.password, args.accountId),
    switchAccount: (_root: unknown, args: { accountId: string }, ctx: IdentityContext) => new SessionService(ctx).switchAccount(args.accountId),
    logout: (_root: unknown, _args: unknown, ctx: IdentityContext) => new SessionService(ctx).logout(),
  },
  Account: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  },
  User: {
    __resolveReference: (reference: { id: string }, ctx: IdentityContext) => ctx.loaders.userById.load(reference.id),
    createdAt: (user: UserRow) => user.created_at.toISOString(),
  },
  Viewer: {
    activeAccount: async (_viewer: { user: UserRow }, _args: unknown, ctx: IdentityContext) => {
      const id = ctx.principal.actingAccountId;
      return id && (await ctx.access.canView(id)) ? accountReference(id) : null;
    },
    permissionsOn: async (_viewer: unknown, args: { accountId: string }, ctx: IdentityContext) =>
      isUuid(args.accountId) ? [...(await ctx.access.permissionsOn(args.accountId.toLowerCase()))].sort() : [],
  },
  AuthPayload: {
    activeAccount: (payload: { activeAccountId: string | null }) => accountReference(payload.activeAccountId),
  },
};
