import { allow, canOnAccount, isUser } from '@platform/authz';

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
  ApiKey: allow,
  ApiKeyConnection: allow,
  ApiKeyEdge: allow,
  CreatedApiKey: allow,
  PartnerApp: allow,
  PartnerManifest: allow,
};
