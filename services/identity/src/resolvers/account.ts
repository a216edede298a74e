import type { IdentityContext } from '../context';

export const Account = {
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  members: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.membershipsByAccountId.load(account.id),
  invitations: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.invitationsByAccountId.load(account.id),
  apiKeys: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.apiKeysByAccountId.load(account.id),
  partnerApps: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.partnerAppsByAccountId.load(account.id),
  ssoConfiguration: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.ssoConfigurationByAccountId.load(account.id),
};
