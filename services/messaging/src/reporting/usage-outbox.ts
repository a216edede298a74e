import type { DataSource } from 'typeorm';
import { inTransaction, queryRows, type Sql } from '@platform/db';
import { applyUsageChanges, type UsageChange } from './usage';

/**
 * Write-behind for the usage rollups of the request path (issue 19).
 *
 * A send used to add its usage to the rollup rows of its account and of every ancestor in its own
 * transaction, so every send of a tree queued on the same root rows until the previous one
 * committed. Rollups decide nothing (no limit reads them), so they may trail the messages by a
 * bounded time; this is the design of the counters of Stripe's and Twilio's usage records
 * (append an event, aggregate it later) rather than slots, which every report would have to sum.
 *
 * - The send appends one row per (account, user, sender, day) here, in the transaction of its
 *   change: an INSERT of a new row, which no other send waits for.
 * - The aggregator (drainUsageOutbox) deletes a slice of rows and adds their sum to the rollups in
 *   ONE transaction: a change is applied exactly once (a crash rolls back both the delete and the
 *   addition), and aggregators running side by side take disjoint rows (SKIP LOCKED).
 * - Staleness: the delivery loop drains every round (it sleeps MESSAGING_WORKER_INTERVAL_MS, 100 ms
 *   by default, only when idle), and a usage report or export drains what is pending before it
 *   reads, so a report sees every send committed before it started, except the slice an aggregator
 *   is applying at that moment (its own transaction, a few milliseconds). Bound: ≤ 2 s while the
 *   loop runs.
 * - A rebuild (rebuildUsage) empties the outbox in its transaction: it recounts raw messages, which
 *   already hold every pending change.
 */
export async function queueUsageChanges(tx: Sql, rootAccountId: string, changes: readonly UsageChange[]): Promise<void> {
  const rows = changes.filter((c) => c.messages || c.parts || c.delivered || c.failed || c.costUnits);
  if (rows.length === 0) return;
  await tx.query(
    `INSERT INTO messaging.usage_outbox (root_account_id, account_id, user_id, sender_id, day, messages, parts, delivered, failed, cost_units)
     SELECT $1, * FROM unnest($2::uuid[], $3::uuid[], $4::uuid[], $5::date[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])`,
    [
      rootAccountId,
      rows.map((c) => c.accountId),
      rows.map((c) => c.userId),
      rows.map((c) => c.senderId),
      rows.map((c) => c.day),
      rows.map((c) => c.messages),
      rows.map((c) => c.parts),
      rows.map((c) => c.delivered),
      rows.map((c) => c.failed),
      rows.map((c) => c.costUnits),
    ],
  );
}

const SLICE = 5000;

/** Applies the pending usage changes to the rollups, a slice per transaction; answers how many rows it applied. */
export async function drainUsageOutbox(dataSource: DataSource, maxSlices = 100): Promise<number> {
  let applied = 0;
  for (let slice = 0; slice < maxSlices; slice++) {
    const taken = await inTransaction(dataSource, async (tx) => {
      const rows = await queryRows<{ account_id: string; user_id: string | null; sender_id: string | null; day: string; messages: string; parts: string; delivered: string; failed: string; cost_units: string }>(
        tx,
        `DELETE FROM messaging.usage_outbox
          WHERE id IN (SELECT id FROM messaging.usage_outbox ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)
          RETURNING account_id, user_id, sender_id, day::text AS day, messages, parts, delivered, failed, cost_units`,
        [SLICE],
      );
      await applyUsageChanges(
        tx,
        rows.map((r) => ({
          accountId: r.account_id,
          userId: r.user_id,
          senderId: r.sender_id,
          day: r.day,
          messages: Number(r.messages),
          parts: Number(r.parts),
          delivered: Number(r.delivered),
          failed: Number(r.failed),
          costUnits: Number(r.cost_units),
        })),
      );
      return rows.length;
    });
    applied += taken;
    if (taken < SLICE) break;
  }
  return applied;
}

/** Drains the outbox before a report reads the rollups, when anything is pending (one cheap read otherwise). */
export async function drainUsageBeforeRead(dataSource: DataSource): Promise<void> {
  const [pending] = await queryRows<{ pending: boolean }>(dataSource, `SELECT EXISTS (SELECT 1 FROM messaging.usage_outbox) AS pending`);
  if (pending.pending) await drainUsageOutbox(dataSource);
}
