import { loadAccountChains, type AccountChain } from '@platform/authz';
import type { Sql } from '@platform/db';
import { publishEventsFrom } from '@platform/events';
import { SCHEMA } from '../data-source';
import { accountsWithSubscribers } from '../webhooks/store';

/** The `message.status` event's data of a message row `m` (SQL alias; batch_id, status, recipient, parts, error_code) whose status was `previous` (SQL). */
export const statusEventData = (m: string, previous: string) =>
  `jsonb_build_object('messageId', ${m}.id, 'batchId', ${m}.batch_id, 'status', ${m}.status, 'previousStatus', ${previous},
                      'recipient', ${m}.recipient, 'parts', ${m}.parts, 'errorCode', ${m}.error_code)`;

/** A message whose status the caller's transaction has just set (or that it has just created). */
export interface StatusChange {
  id: string;
  account_id: string;
  /** the status before the change, when it differs from message to message */
  previous_status?: string | null;
}

/**
 * Publishes one `message.status` event per changed message (SPEC M10; payload in the README), in the
 * transaction of the change: the event is built from the message's row as the transaction left it,
 * in one INSERT … SELECT for the whole batch, after one read of the accounts' paths and one of their
 * subscribers. `options.previousStatus` is the status every message had before (null: just created), unless
 * a change carries its own. Only messages of accounts whose status events some ACTIVE endpoint
 * receives are published: the relay would pass the others over, and a drain nobody listens to then
 * writes no event at all. The event's `timestamp` is the time of the change (no `statusAt` in the
 * data: formatting one per row cost a third of the INSERT).
 */
export async function publishStatusChanges(
  tx: Sql,
  changes: readonly StatusChange[],
  options: { previousStatus?: string | null; /** the accounts' chains when the caller holds them already */ chains?: readonly AccountChain[] } = {},
): Promise<void> {
  if (changes.length === 0) return;
  const previousStatus = options.previousStatus ?? null;
  const chains = options.chains ? new Map(options.chains.map((c) => [c.id, c])) : await loadAccountChains(tx, [...new Set(changes.map((c) => c.account_id))]);
  const subscribed = await accountsWithSubscribers(tx, 'message.status', [...chains.values()]);
  if (subscribed.size === 0) return;
  const published = changes.filter((c) => subscribed.has(c.account_id));
  const accounts = [...subscribed].map((id) => chains.get(id)!);
  await publishEventsFrom(
    tx,
    SCHEMA,
    'message.status',
    `SELECT m.account_id, string_to_array(p.path, ',')::uuid[] AS account_path,
            ${statusEventData('m', 'c.previous_status')} AS data
       FROM unnest($1::uuid[], $2::text[]) WITH ORDINALITY AS c(id, previous_status, n)
       JOIN messaging.messages m ON m.id = c.id
       JOIN unnest($3::uuid[], $4::text[]) AS p(account_id, path) ON p.account_id = m.account_id
      ORDER BY c.n`,
    [published.map((c) => c.id), published.map((c) => (c.previous_status === undefined ? previousStatus : c.previous_status)), accounts.map((a) => a.id), accounts.map((a) => a.path.join(','))],
  );
}
