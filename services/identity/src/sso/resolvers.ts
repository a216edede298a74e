import type { Role } from '@platform/authz';
import type { IdentityContext } from '../context';
import { SsoService } from './service';
import type { SsoConfigurationRow } from './store';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

const SsoConfiguration = {
  accountId: (configuration: SsoConfigurationRow) => configuration.account_id,
  clientId: (configuration: SsoConfigurationRow) => configuration.client_id,
  allowedDomains: (configuration: SsoConfigurationRow) => configuration.allowed_domains,
  defaultRole: (configuration: SsoConfigurationRow) => configuration.default_role,
  requireSso: (configuration: SsoConfigurationRow) => configuration.require_sso,
  updatedAt: (configuration: SsoConfigurationRow) => iso(configuration.updated_at),
};

export const resolvers = {
  Mutation: {
    configureSso: (
      _root: unknown,
      args: { accountId: string; input: { issuer: string; clientId: string; allowedDomains: string[]; defaultRole?: Role | null; requireSso?: boolean | null } },
      ctx: IdentityContext,
    ) => new SsoService(ctx).configure(args.accountId, args.input),
    beginSsoLogin: (_root: unknown, args: { email: string; redirectUri: string }, ctx: IdentityContext) => new SsoService(ctx).begin(args.email, args.redirectUri),
    loginWithSso: (_root: unknown, args: { idToken: string; state: string }, ctx: IdentityContext) => new SsoService(ctx).login(args.idToken, args.state),
  },
  Account: {
    ssoConfiguration: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.ssoConfigurationByAccountId.load(account.id),
  },
  SsoConfiguration,
};
