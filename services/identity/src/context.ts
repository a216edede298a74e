import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import { loginThrottleFor, type LoginThrottle } from './login-throttle';
import { OutboxMailSender, type MailSender } from '@platform/mail';
import {
  AccessRepository,
  type ApiKeyRow,
  type InvitationRow,
  type PartnerAppRow,
  type PartnerManifestRow,
  type SsoConfigurationRow,
} from './repositories/access-repository';
import { IdentityRepository, type MembershipRow, type UserRow } from './repositories/identity-repository';

export interface IdentityContext extends SubgraphRequestContext {
  dataSource: DataSource;
  identity: IdentityRepository;
  accessRepository: AccessRepository;
  mailSender: MailSender;
  /** Failed sign-in counters of this identity server (shared through Redis when configured). */
  loginThrottle: LoginThrottle;
  /** Users this request may show in full: the caller, and the user who has just logged in. */
  selfUserIds: Set<string>;
  loaders: {
    userById: DataLoader<string, UserRow | null>;
    membershipsByAccountId: DataLoader<string, MembershipRow[]>;
    membershipsByUserId: DataLoader<string, MembershipRow[]>;
    invitationsByAccountId: DataLoader<string, InvitationRow[]>;
    apiKeysByAccountId: DataLoader<string, ApiKeyRow[]>;
    partnerAppsByAccountId: DataLoader<string, PartnerAppRow[]>;
    manifestsByAppId: DataLoader<string, PartnerManifestRow[]>;
    ssoConfigurationByAccountId: DataLoader<string, SsoConfigurationRow | null>;
  };
}

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

export function createIdentityContext(base: SubgraphRequestContext, dataSource: DataSource): IdentityContext {
  const identity = new IdentityRepository(dataSource);
  const accessRepository = new AccessRepository(dataSource);
  return {
    ...base,
    dataSource,
    identity,
    accessRepository,
    mailSender: new OutboxMailSender('identity', base.config.internalSigningSecret, base.logger),
    loginThrottle: loginThrottleFor(dataSource, base.config, base.logger),
    selfUserIds: new Set(base.access.userId ? [base.access.userId] : []),
    loaders: {
      userById: new DataLoader(async (ids) => {
        const rows = await identity.findUsersByIds(ids);
        const byId = new Map(rows.map((r) => [r.id, r]));
        return ids.map((id) => byId.get(id) ?? null);
      }),
      membershipsByAccountId: new DataLoader(async (ids) => groupBy(ids, await identity.findMembershipsByAccountIds(ids), (r) => r.account_id)),
      membershipsByUserId: new DataLoader(async (ids) => groupBy(ids, await identity.findMembershipsByUserIds(ids), (r) => r.user_id)),
      invitationsByAccountId: new DataLoader(async (ids) => groupBy(ids, await accessRepository.findInvitationsByAccountIds(ids), (r) => r.account_id)),
      apiKeysByAccountId: new DataLoader(async (ids) => groupBy(ids, await accessRepository.findApiKeysByAccountIds(ids), (r) => r.account_id)),
      partnerAppsByAccountId: new DataLoader(async (ids) => groupBy(ids, await accessRepository.findPartnerAppsByAccountIds(ids), (r) => r.account_id)),
      manifestsByAppId: new DataLoader(async (ids) => groupBy(ids, await accessRepository.findManifestsByAppIds(ids), (r) => r.app_id)),
      ssoConfigurationByAccountId: new DataLoader(async (ids) => {
        const rows = await accessRepository.findSsoConfigurationsByAccountIds(ids);
        return ids.map((id) => rows.find((r) => r.account_id === id) ?? null);
      }),
    },
  };
}
