import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { AuditScope } from '@platform/audit';
import { loadAccountNames, type AccountChain } from '@platform/authz';
import { byKey, groupBy, LoaderPerArguments, toConnections, type Connection, type PageRequest } from '@platform/db';
import { OutboxMailSender, type MailSender } from '@platform/mail';
import type { SubgraphRequestContext } from '@platform/server';
import { SCHEMA } from './data-source';
import { ApiKeyStore, type ApiKeyRow, type PartnerAppRow, type PartnerManifestRow } from './api-keys/store';
import { InvitationStore, type InvitationRow } from './invitations/store';
import { MembershipStore, type MemberListFilter, type MembershipRow } from './memberships/store';
import type { LoginThrottle } from './sessions/login-throttle';
import { UserStore, type UserRow } from './sessions/store';
import { SsoStore, type SsoConfigurationRow } from './sso/store';

export interface IdentityContext extends SubgraphRequestContext {
  dataSource: DataSource;
  users: UserStore;
  memberships: MembershipStore;
  invitations: InvitationStore;
  apiKeys: ApiKeyStore;
  sso: SsoStore;
  mailSender: MailSender;
  /** Failed sign-in counters of this identity server (shared through Redis when configured). */
  loginThrottle: LoginThrottle;
  /** Users this request may show in full: the caller, and the user who has just logged in. */
  selfUserIds: Set<string>;
  loaders: {
    userById: DataLoader<string, UserRow | null>;
    membershipsByUserId: DataLoader<string, MembershipRow[]>;
    memberPages: PagesPerAccount<MemberListFilter, MembershipRow>;
    invitationPages: PagesPerAccount<Record<string, never>, InvitationRow>;
    apiKeyPages: PagesPerAccount<Record<string, never>, ApiKeyRow>;
    partnerAppsByAccountId: DataLoader<string, PartnerAppRow[]>;
    manifestsByAppId: DataLoader<string, PartnerManifestRow[]>;
    ssoConfigurationByAccountId: DataLoader<string, SsoConfigurationRow | null>;
    accountNameById: DataLoader<string, string | null>;
    apiKeyById: DataLoader<string, ApiKeyRow | null>;
  };
}

/** The same page of many accounts' lists, and their sizes: one statement per distinct (filter, page) each. */
export interface PagesPerAccount<TFilter, TRow> {
  pages: LoaderPerArguments<{ filter: TFilter; page: PageRequest<readonly [string, string]> }, DataLoader<string, Connection<TRow>>>;
  counts: LoaderPerArguments<TFilter, DataLoader<string, number>>;
}

/** Lists keyed on (created_at at full precision, id), read per account. */
function pagesPerAccount<TFilter, TRow extends { accountId: string; id: string; createdAtKey: string }>(
  findPages: (accountIds: readonly string[], filter: TFilter, page: PageRequest<readonly [string, string]>) => Promise<TRow[]>,
  count: (accountIds: readonly string[], filter: TFilter) => Promise<{ accountId: string; count: number }[]>,
): PagesPerAccount<TFilter, TRow> {
  return {
    pages: new LoaderPerArguments(({ filter, page }) =>
      new DataLoader(async (ids) => toConnections(ids, await findPages(ids, filter, page), (row) => row.accountId, page, (row) => [row.createdAtKey, row.id])),
    ),
    counts: new LoaderPerArguments((filter) => new DataLoader(async (ids) => byKey(ids, await count(ids, filter), (row) => row.accountId).map((row) => row?.count ?? 0))),
  };
}

/** The per-request context; `loginThrottle` is the one of this identity server (see `sessions/login-throttle`). */
export function createIdentityContext(base: SubgraphRequestContext, dataSource: DataSource, loginThrottle: LoginThrottle): IdentityContext {
  const users = new UserStore(dataSource);
  const memberships = new MembershipStore(dataSource);
  const invitations = new InvitationStore(dataSource);
  const apiKeys = new ApiKeyStore(dataSource);
  const sso = new SsoStore(dataSource);
  return {
    ...base,
    dataSource,
    users,
    memberships,
    invitations,
    apiKeys,
    sso,
    mailSender: new OutboxMailSender('identity', base.config.internalSigningSecret, base.logger),
    loginThrottle,
    selfUserIds: new Set(base.access.userId ? [base.access.userId] : []),
    loaders: {
      accountNameById: new DataLoader(async (ids) => {
        const names = await loadAccountNames(dataSource, ids);
        return ids.map((id) => names.get(id) ?? null);
      }),
      apiKeyById: new DataLoader(async (ids) => byKey(ids, await apiKeys.findApiKeysByIds(ids), (r) => r.id)),
      userById: new DataLoader(async (ids) => byKey(ids, await users.findUsersByIds(ids), (r) => r.id)),
      membershipsByUserId: new DataLoader(async (ids) => groupBy(ids, await memberships.findMembershipsByUserIds(ids), (r) => r.userId)),
      memberPages: pagesPerAccount((ids, filter, page) => memberships.findMemberPages(ids, filter, page), (ids, filter) => memberships.countMembers(ids, filter)),
      invitationPages: pagesPerAccount((ids, _filter, page) => invitations.findInvitationPages(ids, page), (ids) => invitations.countInvitations(ids)),
      apiKeyPages: pagesPerAccount((ids, _filter, page) => apiKeys.findApiKeyPages(ids, page), (ids) => apiKeys.countApiKeys(ids)),
      partnerAppsByAccountId: new DataLoader(async (ids) => groupBy(ids, await apiKeys.findPartnerAppsByAccountIds(ids), (r) => r.accountId)),
      manifestsByAppId: new DataLoader(async (ids) => groupBy(ids, await apiKeys.findManifestsByAppIds(ids), (r) => r.appId)),
      ssoConfigurationByAccountId: new DataLoader(async (ids) => byKey(ids, await sso.findSsoConfigurationsByAccountIds(ids), (r) => r.accountId)),
    },
  };
}

/** Where this request's audited change of an account on `chain` is logged (null: the platform chain). */
export function auditScope(ctx: IdentityContext, chain: AccountChain | null): AuditScope {
  return { dataSource: ctx.dataSource, schema: SCHEMA, principal: ctx.principal, chain };
}
