import type { Role } from '@platform/authz';
import type { IdentityContext } from '../context';
import { ApiKeyService } from './service';
import type { ApiKeyRow, PartnerAppRow, PartnerManifestRow } from './store';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

const ApiKey = {
  accountId: (key: ApiKeyRow) => key.account_id,
  prefix: (key: ApiKeyRow) => key.display_prefix,
  permissions: (key: ApiKeyRow) => key.permissions ?? [],
  partnerAppId: (key: ApiKeyRow) => key.partner_app_id,
  createdAt: (key: ApiKeyRow) => iso(key.created_at),
  expiresAt: (key: ApiKeyRow) => iso(key.expires_at),
  revokedAt: (key: ApiKeyRow) => iso(key.revoked_at),
  lastUsedAt: (key: ApiKeyRow) => iso(key.last_used_at),
};

const PartnerApp = {
  accountId: (app: PartnerAppRow) => app.account_id,
  createdAt: (app: PartnerAppRow) => iso(app.created_at),
  manifests: (app: PartnerAppRow, _args: unknown, ctx: IdentityContext) => ctx.loaders.manifestsByAppId.load(app.id),
};

const PartnerManifest = {
  operationCount: (manifest: PartnerManifestRow) => manifest.operation_count,
  createdAt: (manifest: PartnerManifestRow) => iso(manifest.created_at),
  retiredAt: (manifest: PartnerManifestRow) => iso(manifest.retired_at),
};

export const resolvers = {
  Mutation: {
    createApiKey: (
      _root: unknown,
      args: { accountId: string; name: string; role?: Role | null; permissions?: string[] | null; expiresAt?: string | null; partnerAppId?: string | null },
      ctx: IdentityContext,
    ) => new ApiKeyService(ctx).create(args),
    revokeApiKey: (_root: unknown, args: { id: string }, ctx: IdentityContext) => new ApiKeyService(ctx).revoke(args.id),
    registerPartnerApp: (_root: unknown, args: { accountId: string; name: string }, ctx: IdentityContext) => new ApiKeyService(ctx).registerPartnerApp(args.accountId, args.name),
    uploadPartnerManifest: (_root: unknown, args: { appId: string; manifest: unknown }, ctx: IdentityContext) => new ApiKeyService(ctx).uploadManifest(args.appId, args.manifest),
    retirePartnerManifest: (_root: unknown, args: { appId: string; version: number }, ctx: IdentityContext) =>
      new ApiKeyService(ctx).retireManifest(args.appId, args.version),
  },
  Account: {
    apiKeys: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.apiKeysByAccountId.load(account.id),
    partnerApps: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.partnerAppsByAccountId.load(account.id),
  },
  ApiKey,
  PartnerApp,
  PartnerManifest,
};
