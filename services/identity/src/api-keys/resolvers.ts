import { timeIdPageRequest, withTotalCount } from '@platform/db';
import { isUuid } from '@platform/errors';
import type { AccountResolvers, ApiKeyResolvers, MutationResolvers, PartnerAppResolvers, Resolvers } from '../__generated__/resolvers-types';
import { IDENTITY_PAGE } from '../memberships/resolvers';
import { ApiKeyService } from './service';

const ApiKey: ApiKeyResolvers = {
  // A reference from another subgraph (Message.apiKey) resolves only on an account the caller sees.
  __resolveReference: async (reference, ctx) => {
    const key = isUuid(reference.id) ? await ctx.loaders.apiKeyById.load(reference.id) : null;
    return key && (await ctx.access.canView(key.accountId)) ? key : null;
  },
  permissions: (key) => key.permissions ?? [],
};

const PartnerApp: PartnerAppResolvers = {
  manifests: (app, _args, ctx) => ctx.loaders.manifestsByAppId.load(app.id),
};

const Mutation: MutationResolvers = {
  createApiKey: (_root, args, ctx) => new ApiKeyService(ctx).create(args),
  revokeApiKey: (_root, args, ctx) => new ApiKeyService(ctx).revoke(args.id),
  registerPartnerApp: (_root, args, ctx) => new ApiKeyService(ctx).registerPartnerApp(args.accountId, args.name),
  uploadPartnerManifest: (_root, args, ctx) => new ApiKeyService(ctx).uploadManifest(args.appId, args.manifest),
  retirePartnerManifest: (_root, args, ctx) => new ApiKeyService(ctx).retireManifest(args.appId, args.version),
};

const Account: AccountResolvers = {
  apiKeys: async (account, args, ctx) => {
    const page = timeIdPageRequest(args, IDENTITY_PAGE);
    const connection = await ctx.loaders.apiKeyPages.pages.for({ filter: {}, page }).load(account.id);
    return withTotalCount(connection, () => ctx.loaders.apiKeyPages.counts.for({}).load(account.id));
  },
  partnerApps: (account, _args, ctx) => ctx.loaders.partnerAppsByAccountId.load(account.id),
};

export const resolvers: Resolvers = { Mutation, Account, ApiKey, PartnerApp };
