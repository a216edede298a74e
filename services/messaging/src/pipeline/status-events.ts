import { loadAccountChains } from '@platform/authz';
import type { Sql } from '@platform/db';
import { publishEvents } from '@platform/events';
import { SCHEMA } from '../data-source';
import { accountsWithSubscribers } from '../webhooks/store';

/** What a `message.status` event needs of a changed message; add STATUS_EVENT_COLUMNS to the RETURNING of the change. */
export interface StatusChangeRow {
  id: string;
  account_id: string;
  batch_id: string | null;
  recipient: string;
  parts: number;
  status: string;
  error_code: string | null;
  status_at: Date;
  /** the status before the change; null when the message was just created */
  previous_status?: string | null;
}

/** `m` is the alias of messaging.messages in the statement. */
export const STATUS_EVENT_COLUMNS = `m.id, m.account_id, m.batch_id, m.recipient, m.parts, m.status, m.error_code, coalesce(m.status_at, m.created_at) AS status_at`;

/**
 * Publishes one `message.status` event per changed message (SPEC M10), in the transaction of the
 * change, in one INSERT for the whole batch (after one read of the accounts' paths and one of their
 * subscribers). `previousStatus` is the status every row had before, unless a row carries its own
 * `previous_status`. Only messages of accounts whose status events some ACTIVE endpoint receives are
 * published: the relay would drop the others, and a drain of 10,000 messages nobody listens to then
 * writes no event at all.
 */
export async function publishStatusChanges(tx: Sql, rows: readonly StatusChangeRow[], previousStatus: string | null = null): Promise<void> {
  if (rows.length === 0) return;
  const chains = await loadAccountChains(tx, [...new Set(rows.map((r) => r.account_id))]);
  const subscribed = await accountsWithSubscribers(tx, 'message.status', [...chains.values()]);
  if (subscribed.size === 0) return;
  await publishEvents(
    tx,
    SCHEMA,
    rows.filter((row) => subscribed.has(row.account_id)).map((row) => ({
      type: 'message.status' as const,
      accountId: row.account_id,
      accountPath: chains.get(row.account_id)?.path,
      data: {
        messageId: row.id,
        batchId: row.batch_id,
        status: row.status,
        previousStatus: row.previous_status === undefined ? previousStatus : row.previous_status,
        recipient: row.recipient,
        parts: row.parts,
        statusAt: new Date(row.status_at).toISOString(),
        errorCode: row.error_code,
      },
    })),
  );
}
