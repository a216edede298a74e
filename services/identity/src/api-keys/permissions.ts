import { allow, canOnAccount, isUser, rule, type AuthzContext } from '@platform/authz';
import { errors } from '@platform/errors';
import type { ApiKeyRow } from './store';

/** A key's scope and dates: for whoever manages the account's keys, and for the key itself. */
const canReadKeyScope = rule({ cache: 'no_cache' })(async (key: ApiKeyRow, _args, ctx: AuthzContext) => {
  if (ctx.access.principal.kind === 'API_KEY' && ctx.access.principal.id === key.id) return true;
  return (await ctx.access.can(key.accountId, 'api-keys')) ? true : errors.forbidden('Missing permission "api-keys" on the account of this key');
});

// Addressed by a key or app id: the service checks the account of that object.
export const permissions = {
  Mutation: {
    createApiKey: isUser,
    revokeApiKey: isUser,
    registerPartnerApp: isUser,
    uploadPartnerManifest: isUser,
    retirePartnerManifest: isUser,
  },
  Account: {
    apiKeys: canOnAccount('api-keys', (parent) => parent.id),
    partnerApps: canOnAccount('api-keys', (parent) => parent.id),
  },
  ApiKey: {
    id: allow,
    accountId: allow,
    name: allow,
    prefix: allow,
    partnerAppId: allow,
    createdAt: allow,
    role: canReadKeyScope,
    permissions: canReadKeyScope,
    expiresAt: canReadKeyScope,
    revokedAt: canReadKeyScope,
    lastUsedAt: canReadKeyScope,
  },
  ApiKeyConnection: allow,
  ApiKeyEdge: allow,
  CreatedApiKey: allow,
  PartnerApp: allow,
  PartnerManifest: allow,
};
