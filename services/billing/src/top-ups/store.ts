import { queryRows, type Sql } from '@platform/db';
import type { TopUpStatus, TopUpTrigger } from '../__generated__/resolvers-types';

export interface TopUpRow {
  id: string;
  account_id: string;
  units: string;
  trigger: TopUpTrigger;
  status: TopUpStatus;
  payment_method_id: string;
  decline_reason: string | null;
  user_id: string | null;
  idempotency_key: string;
  created_at: Date;
}

export const TOP_UP_COLUMNS = 'id, account_id, units, trigger, status, payment_method_id, decline_reason, user_id, idempotency_key, created_at';

/** Top-ups of an account, newest first. */
export function topUpsOfAccount(db: Sql, accountId: string, limit: number): Promise<TopUpRow[]> {
  return queryRows<TopUpRow>(db, `SELECT * FROM billing.top_ups WHERE account_id = $1 ORDER BY created_at DESC, id LIMIT $2`, [accountId, limit]);
}
