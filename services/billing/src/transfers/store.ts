import { queryRows, type Sql } from '@platform/db';
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

/** Transfers from or to an account, newest first. */
export function transfersOfAccount(db: Sql, accountId: string, limit: number): Promise<TransferRow[]> {
  return queryRows<TransferRow>(
    db,
    `SELECT ${TRANSFER_COLUMNS} FROM billing.transfers WHERE from_account_id = $1 OR to_account_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
    [accountId, limit],
  );
}
