import type { AccountResolvers, MutationResolvers, Resolvers } from '../__generated__/resolvers-types';
import { SsoService } from './service';

const Mutation: MutationResolvers = {
  configureSso: (_root, args, ctx) => new SsoService(ctx).configure(args.accountId, args.input),
  beginSsoLogin: (_root, args, ctx) => new SsoService(ctx).begin(args.email, args.redirectUri),
  loginWithSso: (_root, args, ctx) => new SsoService(ctx).login(args.idToken, args.state),
};

const Account: AccountResolvers = {
  ssoConfiguration: (account, _args, ctx) => ctx.loaders.ssoConfigurationByAccountId.load(account.id),
};

export const resolvers: Resolvers = { Mutation, Account };
