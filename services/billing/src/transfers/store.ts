import { queryRows, type Sql } from '@platform/db';
import type { TransferKind } from '../__generated__/resolvers-types';

export interface TransferRow {
  id: string;
  kind: TransferKind;
  from_account_id: string;
  to_account_id: string;
  units: string;
  user_id: string | null;
  created_at: Date;
}

/** Transfers from or to an account, newest first. */
export function transfersOfAccount(db: Sql, accountId: string, limit: number): Promise<TransferRow[]> {
  return queryRows<TransferRow>(
    db,
    `SELECT * FROM billing.transfers WHERE from_account_id = $1 OR to_account_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
    [accountId, limit],
  );
}
