import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';

export interface MessagingContext extends SubgraphRequestContext {
  loaders: {
    /** All messages of an account. */
    messageCountByAccountId: DataLoader<string, number>;
    /** The caller's own messages of an account (basic users, SPEC I2). */
    ownMessageCountByAccountId: DataLoader<string, number>;
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
    loaders: {
      messageCountByAccountId: count(null),
      ownMessageCountByAccountId: count(base.access.userId ?? '00000000-0000-0000-0000-000000000000'),
    },
  };
}
