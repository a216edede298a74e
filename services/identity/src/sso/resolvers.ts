import type { AccountResolvers, MutationResolvers, Resolvers, SsoConfigurationResolvers } from '../__generated__/resolvers-types';
import { SsoService } from './service';

const SsoConfiguration: SsoConfigurationResolvers = {
  accountId: (configuration) => configuration.account_id,
  clientId: (configuration) => configuration.client_id,
  allowedDomains: (configuration) => configuration.allowed_domains,
  defaultRole: (configuration) => configuration.default_role,
  requireSso: (configuration) => configuration.require_sso,
  updatedAt: (configuration) => configuration.updated_at,
};

const Mutation: MutationResolvers = {
  configureSso: (_root, args, ctx) => new SsoService(ctx).configure(args.accountId, args.input),
  beginSsoLogin: (_root, args, ctx) => new SsoService(ctx).begin(args.email, args.redirectUri),
  loginWithSso: (_root, args, ctx) => new SsoService(ctx).login(args.idToken, args.state),
};

const Account: AccountResolvers = {
  ssoConfiguration: (account, _args, ctx) => ctx.loaders.ssoConfigurationByAccountId.load(account.id),
};

export const resolvers: Resolvers = { Mutation, Account, SsoConfiguration };
