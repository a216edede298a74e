import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import { requirePrivateKey } from '@platform/config';
import { createBillingClient, type BillingClient } from '@platform/billing-client';
import { createCarrier, type Carrier } from './pipeline/carrier';

export interface MessagingContext extends SubgraphRequestContext {
  dataSource: DataSource;
  billing: BillingClient;
  carrier: Carrier;
  loaders: {
    /** All messages of an account. */
    messageCountByAccountId: DataLoader<string, number>;
    /** The caller's own messages of an account (basic users, SPEC I2). */
    ownMessageCountByAccountId: DataLoader<string, number>;
    /** Group ids of each contact. */
    groupIdsByContactId: DataLoader<string, string[]>;
    /** Number of contacts of each group. */
    contactCountByGroupId: DataLoader<string, number>;
  };
}

export function createMessagingContext(base: SubgraphRequestContext, dataSource: DataSource): MessagingContext {
  const count = (userId: string | null) =>
    new DataLoader<string, number>(async (accountIds) => {
      const rows: { account_id: string; count: number }[] = await dataSource.query(
        `SELECT account_id, count(*)::int AS count FROM messaging.messages
          WHERE account_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR user_id = $2)
          GROUP BY account_id`,
        [accountIds, userId],
      );
      const byId = new Map(rows.map((r) => [r.account_id, r.count]));
      return accountIds.map((id) => byId.get(id) ?? 0);
    });
  return {
    ...base,
    dataSource,
    billing: createBillingClient({ url: base.config.subgraphUrls.billing, privateKey: requirePrivateKey(base.config, 'messaging'), ttlSeconds: base.config.principalTokens.ttlSeconds }),
    carrier: createCarrier(dataSource, base.config.messaging),
    loaders: {
      messageCountByAccountId: count(null),
      ownMessageCountByAccountId: count(base.access.userId ?? '00000000-0000-0000-0000-000000000000'),
      groupIdsByContactId: new DataLoader(async (contactIds) => {
        const rows: { contact_id: string; group_ids: string[] }[] = await dataSource.query(
          `SELECT contact_id, array_agg(group_id) AS group_ids FROM messaging.group_members WHERE contact_id = ANY($1::uuid[]) GROUP BY contact_id`,
          [contactIds],
        );
        const byId = new Map(rows.map((r) => [r.contact_id, r.group_ids]));
        return contactIds.map((id) => byId.get(id) ?? []);
      }),
      contactCountByGroupId: new DataLoader(async (groupIds) => {
        const rows: { group_id: string; count: number }[] = await dataSource.query(
          `SELECT group_id, count(*)::int AS count FROM messaging.group_members WHERE group_id = ANY($1::uuid[]) GROUP BY group_id`,
          [groupIds],
        );
        const byId = new Map(rows.map((r) => [r.group_id, r.count]));
        return groupIds.map((id) => byId.get(id) ?? 0);
      }),
    },
  };
}
