import { keysetSql, pagesPerParentSql, queryRows, timestampKeySql, type PageRequest, type Sql } from '@platform/db';
import type { TransferKind } from '../__generated__/resolvers-types';

export interface TransferRow {
  id: string;
  kind: TransferKind;
  fromAccountId: string;
  toAccountId: string;
  units: string;
  userId: string | null;
  createdAt: Date;
}

export const TRANSFER_COLUMNS = `id, kind, from_account_id AS "fromAccountId", to_account_id AS "toAccountId", units, user_id AS "userId", created_at AS "createdAt"`;

/** A transfer read for a page of `ownerId`'s transfers, with its sort key (created_at at full precision). */
export type TransferPageRow = TransferRow & { ownerId: string; createdAtKey: string };

/** The same page of each account's transfers (from or to it), newest first, in one statement. */
export function transferPages(db: Sql, accountIds: readonly string[], page: PageRequest<readonly [string, string]>): Promise<TransferPageRow[]> {
  const keyset = keysetSql(page, { columns: ['t.created_at', 't.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 2 });
  const columns = `t.id, t.kind, t.from_account_id AS "fromAccountId", t.to_account_id AS "toAccountId", t.units, t.user_id AS "userId", t.created_at AS "createdAt"`;
  return queryRows<TransferPageRow>(
    db,
    pagesPerParentSql({
      select: `${columns}, parent.id AS "ownerId", ${timestampKeySql('t.created_at')} AS "createdAtKey"`,
      from: 'billing.transfers t',
      conditions: ['(t.from_account_id = parent.id OR t.to_account_id = parent.id)'],
      keyset,
    }),
    [accountIds, ...keyset.parameters],
  );
}

export function countTransfers(db: Sql, accountIds: readonly string[]): Promise<{ accountId: string; count: number }[]> {
  return queryRows(
    db,
    `SELECT owner.id AS "accountId", count(*)::int AS count FROM unnest($1::uuid[]) AS owner(id)
       JOIN billing.transfers t ON t.from_account_id = owner.id OR t.to_account_id = owner.id GROUP BY owner.id`,
    [accountIds],
  );
}
