import { assertId, errors, isUuid } from '@platform/errors';
import { DateTimeScalar } from '@platform/server';
import type { AccountResolvers, AuthPayloadResolvers, MutationResolvers, QueryResolvers, Resolvers, UserResolvers, ViewerResolvers } from '../__generated__/resolvers-types';
import { JSONScalar } from './json-scalar';
import { SessionService } from './service';
import type { ApiKeyRow } from '../api-keys/store';
import type { UserRow } from './store';

/** An account of the hierarchy subgraph, named by its id (the parent of identity's Account fields). */
export interface AccountReference {
  __typename?: 'Account';
  id: string;
}

/** The parent of Viewer's fields: the signed-in user, or the calling API key. */
export interface ViewerValue {
  kind: 'USER' | 'API_KEY';
  user: UserRow | null;
  apiKey: ApiKeyRow | null;
}

const accountReference = (id: string | null): AccountReference | null => (id ? { __typename: 'Account', id } : null);

const Query: QueryResolvers = {
  me: async (_root, _args, ctx) => {
    if (ctx.principal.kind === 'API_KEY' && ctx.principal.id) {
      const apiKey = await ctx.loaders.apiKeyById.load(ctx.principal.id);
      if (!apiKey) throw errors.unauthenticated();
      return { kind: 'API_KEY', user: null, apiKey };
    }
    const userId = ctx.access.userId;
    const user = userId ? await ctx.loaders.userById.load(userId) : null;
    if (!user) throw errors.unauthenticated();
    return { kind: 'USER', user, apiKey: null };
  },
};

const Mutation: MutationResolvers = {
  login: (_root, args, ctx) => new SessionService(ctx).login(args.email, args.password, args.accountId),
  switchAccount: (_root, args, ctx) => new SessionService(ctx).switchAccount(args.accountId),
  logout: (_root, _args, ctx) => new SessionService(ctx).logout(),
};

const Account: AccountResolvers = {
  __resolveReference: (reference) => ({ id: reference.id }),
};

const User: UserResolvers = {
  __resolveReference: (reference, ctx) => ctx.loaders.userById.load(reference.id),
};

const Viewer: ViewerResolvers = {
  activeAccount: async (_viewer, _args, ctx) => {
    const id = ctx.principal.actingAccountId;
    return id && (await ctx.access.canView(id)) ? accountReference(id) : null;
  },
  permissionsOn: async (_viewer, args, ctx) =>
    isUuid(args.accountId) ? [...(await ctx.access.permissionsOn(assertId(args.accountId)))].sort() : [],
};

const AuthPayload: AuthPayloadResolvers = {
  activeAccount: (payload) => accountReference(payload.activeAccountId),
};

export const resolvers: Resolvers = { DateTime: DateTimeScalar, JSON: JSONScalar, Query, Mutation, Account, User, Viewer, AuthPayload };
