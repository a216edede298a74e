import crypto from 'node:crypto';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { AccessControl, type AccountChain, type DataScope, type Grant, type Principal } from '@platform/authz';
import { createBillingClient, type BillingClient } from '@platform/billing-client';
import { requirePrivateKey, type PlatformConfig } from '@platform/config';
import { errors } from '@platform/errors';
import type { Logger, SubgraphRequestContext } from '@platform/server';
import { contactCountsOfGroups, groupIdsOfContacts } from './contacts/store';
import { createCarrier, type Carrier } from './pipeline/carrier';
import { UsageLoaders } from './reporting/usage-loader';
import { senderIdsByIds, type SenderIdRow } from './sender-ids/store';
import { apiKeyIdsOfBatches, messageCountsOfAccounts } from './sending/store';
import { linksOfMessages, type LinkRow } from './short-links/store';
import { WebhookService } from './webhooks/service';

export interface MessagingContext extends SubgraphRequestContext {
  dataSource: DataSource;
  billing: BillingClient;
  carrier: Carrier;
  usage: UsageLoaders;
  webhooks: WebhookService;
  /** Messages of each account, counted in its scope (see messageCountByAccountId) for a whole batch at once; FORBIDDEN (an Error) in scope NONE. */
  countMessages(accountIds: readonly string[], scopes: readonly DataScope[]): Promise<(number | Error)[]>;
  loaders: {
    /**
     * Messages of each account as the caller may count them: all with `reports`, their own with
     * `reports.own` (basic users, SPEC I2), FORBIDDEN without either; decided and counted for every
     * account of a tick at once.
     */
    messageCountByAccountId: DataLoader<string, number>;
    /** Group ids of each contact. */
    groupIdsByContactId: DataLoader<string, string[]>;
    /** Number of contacts of each group. */
    contactCountByGroupId: DataLoader<string, number>;
    /** Short links of each message (SPEC M8). */
    linksByMessageId: DataLoader<string, LinkRow[]>;
    /** The API key each send batch was sent with. */
    apiKeyIdByBatchId: DataLoader<string, string | null>;
    senderIdById: DataLoader<string, SenderIdRow | null>;
  };
}

export function createMessagingContext(base: SubgraphRequestContext, dataSource: DataSource): MessagingContext {
  return new MessagingRequestContext(base, dataSource);
}

// One client per process configuration: it holds nothing of a request (it signs as messaging's own SERVICE principal).
const billingClients = new WeakMap<PlatformConfig, BillingClient>();
function billingClientOf(config: PlatformConfig): BillingClient {
  let client = billingClients.get(config);
  if (!client) {
    client = createBillingClient({ url: config.subgraphUrls.billing, privateKey: requirePrivateKey(config, 'messaging'), ttlSeconds: config.principalTokens.ttlSeconds });
    billingClients.set(config, client);
  }
  return client;
}

/**
 * A messaging request's context. What only some requests use — the usage loaders, the webhook
 * service, the DataLoaders — is built on first use (a send uses none of them, issue 19), by getters
 * on the prototype: Apollo's shallow copy of the context (Object.assign onto the same prototype)
 * keeps them lazy, and the copy keeps what it builds.
 */
class MessagingRequestContext implements MessagingContext {
  declare principal: SubgraphRequestContext['principal'];
  declare access: SubgraphRequestContext['access'];
  declare requestId: string;
  declare logger: Logger;
  declare config: PlatformConfig;
  readonly billing: BillingClient;
  readonly carrier: Carrier;
  private builtUsage: UsageLoaders | undefined;
  private builtWebhooks: WebhookService | undefined;
  private builtLoaders: MessagingContext['loaders'] | undefined;

  constructor(
    base: SubgraphRequestContext,
    readonly dataSource: DataSource,
  ) {
    Object.assign(this, base);
    this.billing = billingClientOf(base.config);
    this.carrier = createCarrier(dataSource, base.config.messaging);
  }

  get usage(): UsageLoaders {
    return (this.builtUsage ??= new UsageLoaders(this.access, this.dataSource));
  }

  get webhooks(): WebhookService {
    return (this.builtWebhooks ??= new WebhookService(this.dataSource, this));
  }

  get loaders(): MessagingContext['loaders'] {
    return (this.builtLoaders ??= messagingLoaders(this));
  }

  async countMessages(accountIds: readonly string[], scopes: readonly DataScope[]): Promise<(number | Error)[]> {
    const countsOf = async (ids: string[], userId: string | null) =>
      new Map(ids.length ? (await messageCountsOfAccounts(this.dataSource, ids, userId)).map((r) => [r.account_id, r.count]) : []);
    const [all, own] = await Promise.all([
      countsOf(accountIds.filter((_, i) => scopes[i] === 'ALL'), null),
      countsOf(accountIds.filter((_, i) => scopes[i] === 'OWN'), this.access.userId ?? '00000000-0000-0000-0000-000000000000'),
    ]);
    return accountIds.map((id, i) => {
      if (scopes[i] === 'NONE') return errors.forbidden('Missing permission "reports" on this account');
      return (scopes[i] === 'ALL' ? all : own).get(id) ?? 0;
    });
  }
}

function messagingLoaders(ctx: MessagingRequestContext): MessagingContext['loaders'] {
  const { dataSource } = ctx;
  return {
    messageCountByAccountId: new DataLoader<string, number>(async (accountIds) => ctx.countMessages(accountIds, await ctx.access.dataScopes(accountIds, 'reports'))),
    groupIdsByContactId: new DataLoader(async (contactIds) => {
      const byId = new Map((await groupIdsOfContacts(dataSource, contactIds)).map((r) => [r.contact_id, r.group_ids]));
      return contactIds.map((id) => byId.get(id) ?? []);
    }),
    contactCountByGroupId: new DataLoader(async (groupIds) => {
      const byId = new Map((await contactCountsOfGroups(dataSource, groupIds)).map((r) => [r.group_id, r.count]));
      return groupIds.map((id) => byId.get(id) ?? 0);
    }),
    linksByMessageId: new DataLoader((messageIds: readonly string[]) => linksOfMessages(dataSource, messageIds)),
    apiKeyIdByBatchId: new DataLoader((batchIds) => apiKeyIdsOfBatches(dataSource, batchIds)),
    senderIdById: new DataLoader((ids) => senderIdsByIds(dataSource, ids)),
  };
}

/**
 * The platform acting for one account without a user (email to SMS, automation auto-replies):
 * `account.view` and `messages.send` on that account only. No membership, hence no per-user
 * limits (SPEC I6) and no user credit limit; every account-level check of the send path (M2) holds.
 */
class AccountServiceAccess extends AccessControl {
  constructor(
    principal: Principal,
    db: DataSource,
    private readonly chain: AccountChain,
  ) {
    super(principal, db);
  }

  override grants(): Promise<Grant[]> {
    return Promise.resolve([{ membershipId: null, accountId: this.chain.id, accountPath: this.chain.path, role: null, permissions: new Set(['account.view', 'messages.send'] as const) }]);
  }
}

/** A messaging context that sends as `chain`'s account; `actor` names the feature in the activity log (a SERVICE principal). */
export function accountServiceContext(dataSource: DataSource, config: PlatformConfig, logger: Logger, chain: AccountChain, actor: string): MessagingContext {
  const principal: Principal = { kind: 'SERVICE', id: actor, actingAccountId: chain.id, sessionId: null, requestId: crypto.randomUUID() };
  return createMessagingContext({ principal, access: new AccountServiceAccess(principal, dataSource, chain), requestId: principal.requestId!, logger, config }, dataSource);
}
