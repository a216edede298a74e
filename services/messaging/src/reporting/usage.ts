import type { Sql } from '@platform/db';
import type { EntityManager } from 'typeorm';
import { loadAccountChains } from '@platform/authz';

/**
 * The contract between the send pipeline (issue 4) and the usage rollups (issue 7, SPEC R1/R3).
 * The pipeline calls applyUsage in the SAME transaction as the change it describes:
 * - a message accepted (queued or scheduled): messages 1, parts n, costUnits c
 * - a status change to DELIVERED: delivered 1; to FAILED or EXPIRED: failed 1
 * - a cancelled scheduled message: messages -1, parts -n, costUnits -c
 * `day` is the local date (YYYY-MM-DD) in the sending account's timezone at acceptance; it is
 * stored on the message (messaging.messages.usage_day) so later changes hit the same day.
 * The rollups add each change to the row of the account and of each of its ancestors.
 */
export interface UsageChange {
  accountId: string;
  userId: string | null;
  senderId: string | null;
  day: string;
  messages: number;
  parts: number;
  delivered: number;
  failed: number;
  costUnits: number;
}

export type ApplyUsage = (manager: EntityManager, changes: UsageChange[]) => Promise<void>;

/** The same lock key as messaging.move_account_usage: sends hold it shared, a move exclusively. */
const LOCK_TREES_SQL = `
  SELECT count(pg_advisory_xact_lock_shared(hashtextextended('usage:' || root_id::text, 0)))
    FROM (SELECT DISTINCT unnest($1::uuid[]) AS root_id ORDER BY 1) AS roots`;

/**
 * One statement for both tables. Rows are upserted in key order so concurrent sends lock shared
 * ancestor rows in the same order (no deadlock); the detail upsert never changes an indexed
 * column, so its updates stay HOT (fillfactor 80).
 */
const UPSERT_SQL = `
  WITH change AS (
    SELECT c.account_id, string_to_array(c.path, ',')::uuid[] AS path, c.day, c.user_id, c.sender_id,
           c.messages, c.parts, c.delivered, c.failed, c.cost_units
      FROM unnest($1::uuid[], $2::text[], $3::date[], $4::uuid[], $5::uuid[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])
        AS c(account_id, path, day, user_id, sender_id, messages, parts, delivered, failed, cost_units)
  ), detail AS (
    INSERT INTO messaging.usage_account_daily AS u (account_id, path, day, user_id, sender_id, messages, parts, delivered, failed, cost_units)
    SELECT account_id, path, day, user_id, sender_id, messages, parts, delivered, failed, cost_units
      FROM change
     ORDER BY account_id, day, user_id, sender_id
    ON CONFLICT (account_id, day, user_id, sender_id) DO UPDATE
       SET messages = u.messages + excluded.messages, parts = u.parts + excluded.parts,
           delivered = u.delivered + excluded.delivered, failed = u.failed + excluded.failed,
           cost_units = u.cost_units + excluded.cost_units
  )
  INSERT INTO messaging.usage_subtree_daily AS s (ancestor_id, child_id, day, messages, parts, delivered, failed, cost_units)
  SELECT c.path[i], coalesce(c.path[i + 1], c.path[i]), c.day,
         sum(c.messages), sum(c.parts), sum(c.delivered), sum(c.failed), sum(c.cost_units)
    FROM change c, generate_series(1, cardinality(c.path)) AS i
   GROUP BY 1, 2, 3
   ORDER BY 1, 3, 2
  ON CONFLICT (ancestor_id, day, child_id) DO UPDATE
     SET messages = s.messages + excluded.messages, parts = s.parts + excluded.parts,
         delivered = s.delivered + excluded.delivered, failed = s.failed + excluded.failed,
         cost_units = s.cost_units + excluded.cost_units`;

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Adds changes to the rollups of each account and its ancestors: changes are summed per
 * (account, day, user, sender) first, so a bulk send of 10,000 messages costs the same four
 * statements as one message (chains, tree locks, chains again, one upsert).
 */
export const applyUsage: ApplyUsage = async (manager, changes) => {
  await applyUsageChanges(manager, changes);
};

export async function applyUsageChanges(db: Sql, changes: readonly UsageChange[]): Promise<void> {
  const summed = new Map<string, UsageChange>();
  for (const change of changes) {
    if (!DAY_PATTERN.test(change.day)) throw new Error(`applyUsage: day must be YYYY-MM-DD, got ${change.day}`);
    const key = `${change.accountId}|${change.day}|${change.userId ?? ''}|${change.senderId ?? ''}`;
    const sum = summed.get(key);
    if (!sum) {
      summed.set(key, { ...change });
    } else {
      sum.messages += change.messages;
      sum.parts += change.parts;
      sum.delivered += change.delivered;
      sum.failed += change.failed;
      sum.costUnits += change.costUnits;
    }
  }
  const rows = [...summed.values()].filter((c) => c.messages || c.parts || c.delivered || c.failed || c.costUnits);
  if (rows.length === 0) return;

  const accountIds = [...new Set(rows.map((c) => c.accountId))];
  const before = await loadAccountChains(db, accountIds);
  const missing = accountIds.filter((id) => !before.has(id));
  if (missing.length > 0) throw new Error(`applyUsage: unknown account ${missing[0]}`);
  await db.query(LOCK_TREES_SQL, [[...new Set([...before.values()].map((chain) => chain.rootId))]]);
  // Reread under the lock: a move that committed in between has changed the paths.
  const chains = await loadAccountChains(db, accountIds);

  await db.query(UPSERT_SQL, [
    rows.map((c) => c.accountId),
    rows.map((c) => chains.get(c.accountId)!.path.join(',')),
    rows.map((c) => c.day),
    rows.map((c) => c.userId),
    rows.map((c) => c.senderId),
    rows.map((c) => c.messages),
    rows.map((c) => c.parts),
    rows.map((c) => c.delivered),
    rows.map((c) => c.failed),
    rows.map((c) => c.costUnits),
  ]);
}
