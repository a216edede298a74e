import type { AccountResolvers, ApiKeyResolvers, MutationResolvers, PartnerAppResolvers, PartnerManifestResolvers, Resolvers } from '../__generated__/resolvers-types';
import { ApiKeyService } from './service';

const ApiKey: ApiKeyResolvers = {
  accountId: (key) => key.account_id,
  prefix: (key) => key.display_prefix,
  permissions: (key) => key.permissions ?? [],
  partnerAppId: (key) => key.partner_app_id,
  createdAt: (key) => key.created_at,
  expiresAt: (key) => key.expires_at,
  revokedAt: (key) => key.revoked_at,
  lastUsedAt: (key) => key.last_used_at,
};

const PartnerApp: PartnerAppResolvers = {
  accountId: (app) => app.account_id,
  createdAt: (app) => app.created_at,
  manifests: (app, _args, ctx) => ctx.loaders.manifestsByAppId.load(app.id),
};

const PartnerManifest: PartnerManifestResolvers = {
  operationCount: (manifest) => manifest.operation_count,
  createdAt: (manifest) => manifest.created_at,
  retiredAt: (manifest) => manifest.retired_at,
};

const Mutation: MutationResolvers = {
  createApiKey: (_root, args, ctx) => new ApiKeyService(ctx).create(args),
  revokeApiKey: (_root, args, ctx) => new ApiKeyService(ctx).revoke(args.id),
  registerPartnerApp: (_root, args, ctx) => new ApiKeyService(ctx).registerPartnerApp(args.accountId, args.name),
  uploadPartnerManifest: (_root, args, ctx) => new ApiKeyService(ctx).uploadManifest(args.appId, args.manifest),
  retirePartnerManifest: (_root, args, ctx) => new ApiKeyService(ctx).retireManifest(args.appId, args.version),
};

const Account: AccountResolvers = {
  apiKeys: (account, _args, ctx) => ctx.loaders.apiKeysByAccountId.load(account.id),
  partnerApps: (account, _args, ctx) => ctx.loaders.partnerAppsByAccountId.load(account.id),
};

export const resolvers: Resolvers = { Mutation, Account, ApiKey, PartnerApp, PartnerManifest };
