import type { DataSource } from 'typeorm';

/**
 * Per (account, day, user, sender) from raw messages, with the contract's meaning of a status
 * (src/reporting/usage.ts): a cancelled message counts nothing, DELIVERED counts delivered,
 * FAILED and EXPIRED count failed. Reading the account paths directly is the one set-based read
 * of the shared chain model outside shared/authz: a rebuild cannot afford a query per account.
 */
export const REBUILD_ACCOUNT_DAILY_SQL = `
  INSERT INTO messaging.usage_account_daily (account_id, path, day, user_id, sender_id, messages, parts, delivered, failed, cost_units)
  SELECT m.account_id, a.path, m.usage_day, m.user_id, m.sender_id,
         count(*) FILTER (WHERE m.status <> 'CANCELLED'),
         coalesce(sum(m.parts) FILTER (WHERE m.status <> 'CANCELLED'), 0),
         count(*) FILTER (WHERE m.status = 'DELIVERED'),
         count(*) FILTER (WHERE m.status IN ('FAILED', 'EXPIRED')),
         coalesce(sum(m.cost_units) FILTER (WHERE m.status <> 'CANCELLED'), 0)
    FROM messaging.messages m
    JOIN hierarchy.accounts a ON a.id = m.account_id
   GROUP BY m.account_id, a.path, m.usage_day, m.user_id, m.sender_id
  HAVING count(*) FILTER (WHERE m.status <> 'CANCELLED') > 0`;

/** Every account-day row added to its account and each ancestor, bucketed by the child on the path. */
export const REBUILD_SUBTREE_DAILY_SQL = `
  INSERT INTO messaging.usage_subtree_daily (ancestor_id, child_id, day, messages, parts, delivered, failed, cost_units)
  SELECT d.path[i], coalesce(d.path[i + 1], d.path[i]), d.day,
         sum(d.messages), sum(d.parts), sum(d.delivered), sum(d.failed), sum(d.cost_units)
    FROM messaging.usage_account_daily d, generate_series(1, cardinality(d.path)) AS i
   GROUP BY 1, 2, 3`;

export interface RebuildResult {
  accountDayRows: number;
  subtreeDayRows: number;
}

/**
 * Recomputes both rollups from raw messages in one transaction. TRUNCATE's lock makes concurrent
 * applyUsage calls wait; the inserts' snapshot is taken after it, so a send either committed before
 * (its message is counted here) or applies its usage after the rebuild commits.
 */
export async function rebuildUsage(dataSource: DataSource): Promise<RebuildResult> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SET LOCAL work_mem = '256MB'`);
    await manager.query(`TRUNCATE messaging.usage_account_daily, messaging.usage_subtree_daily`);
    await manager.query(REBUILD_ACCOUNT_DAILY_SQL);
    await manager.query(REBUILD_SUBTREE_DAILY_SQL);
    const [counts]: { account_day_rows: string; subtree_day_rows: string }[] = await manager.query(
      `SELECT (SELECT count(*) FROM messaging.usage_account_daily) AS account_day_rows,
              (SELECT count(*) FROM messaging.usage_subtree_daily) AS subtree_day_rows`,
    );
    return { accountDayRows: Number(counts.account_day_rows), subtreeDayRows: Number(counts.subtree_day_rows) };
  });
}
