import type { DataSource } from 'typeorm';
import { inTransaction, queryRows, type Sql } from '@platform/db';
import type { UsageGroupBy } from '../__generated__/resolvers-types';

/** The grouping keys in the order a report's rows are keyed and sorted. */
export const USAGE_GROUP_BY: readonly UsageGroupBy[] = ['CHILD_ACCOUNT', 'DAY', 'MONTH', 'USER', 'SENDER_ID'];

export interface UsageQuery {
  from: string;
  to: string;
  /** distinct, in USAGE_GROUP_BY order */
  groupBy: UsageGroupBy[];
  includeDescendants: boolean;
  /** basic users (SPEC R2): only the rows of their own messages */
  ownUserId: string | null;
}

export interface UsageTarget {
  accountId: string;
  depth: number;
}

export interface UsageMeasures {
  messages: number;
  parts: number;
  delivered: number;
  failed: number;
  costUnits: number;
}

export interface UsageRowKeys {
  childAccountId: string | null;
  day: string | null;
  month: string | null;
  userId: string | null;
  senderId: string | null;
}

export type UsageRow = UsageRowKeys & UsageMeasures;

export interface UsageSqlRow {
  account_id: string;
  child_id: string | null;
  day: string | null;
  month: string | null;
  user_id: string | null;
  sender_id: string | null;
  messages: string;
  parts: string;
  delivered: string;
  failed: string;
  cost_units: string;
}

const SUMS = `sum(messages) AS messages, sum(parts) AS parts, sum(delivered) AS delivered, sum(failed) AS failed, sum(cost_units) AS cost_units`;
const NON_ZERO = `sum(messages) <> 0 OR sum(parts) <> 0 OR sum(delivered) <> 0 OR sum(failed) <> 0 OR sum(cost_units) <> 0`;

/** Only the subtree table when nothing asks for the user or sender dimension. */
export function usesSubtreeTable(query: UsageQuery): boolean {
  return query.ownUserId === null && !query.groupBy.includes('USER') && !query.groupBy.includes('SENDER_ID');
}

/**
 * One statement for the usage of several accounts under the same query, grouped by account and
 * the requested keys. Dates, ids and depths are bound or validated integers.
 */
export function buildUsageSql(query: UsageQuery, targets: readonly UsageTarget[], options: { limit?: number } = {}): { sql: string; parameters: unknown[] } {
  const has = (key: UsageGroupBy) => query.groupBy.includes(key);
  const parameters: unknown[] = [query.from, query.to];
  const bind = (value: unknown) => {
    parameters.push(value);
    return `$${parameters.length}`;
  };
  const keys = [
    has('CHILD_ACCOUNT') ? 'child_id' : 'NULL::uuid',
    has('DAY') ? `to_char(day, 'YYYY-MM-DD')` : 'NULL::text',
    has('MONTH') ? `to_char(day, 'YYYY-MM')` : 'NULL::text',
    has('USER') ? 'user_id' : 'NULL::uuid',
    has('SENDER_ID') ? 'sender_id' : 'NULL::uuid',
  ];
  const select = `SELECT account_id, ${keys[0]} AS child_id, ${keys[1]} AS day, ${keys[2]} AS month, ${keys[3]} AS user_id, ${keys[4]} AS sender_id, ${SUMS}`;
  const tail = `GROUP BY 1, 2, 3, 4, 5, 6 HAVING ${NON_ZERO} ORDER BY 1, 3 NULLS FIRST, 4 NULLS FIRST, 2 NULLS FIRST, 5 NULLS FIRST, 6 NULLS FIRST${options.limit ? ` LIMIT ${Math.floor(options.limit)}` : ''}`;

  let source: string;
  if (usesSubtreeTable(query)) {
    source = `
      SELECT ancestor_id AS account_id, CASE WHEN child_id = ancestor_id THEN NULL ELSE child_id END AS child_id, day,
             NULL::uuid AS user_id, NULL::uuid AS sender_id, messages, parts, delivered, failed, cost_units
        FROM messaging.usage_subtree_daily
       WHERE ancestor_id = ANY(${bind(targets.map((t) => t.accountId))}::uuid[]) AND day BETWEEN $1::date AND $2::date
         ${query.includeDescendants ? '' : 'AND child_id = ancestor_id'}`;
  } else {
    const ownFilter = query.ownUserId === null ? '' : `AND user_id = ${bind(query.ownUserId)}::uuid`;
    if (!query.includeDescendants) {
      source = `
        SELECT account_id, NULL::uuid AS child_id, day, user_id, sender_id, messages, parts, delivered, failed, cost_units
          FROM messaging.usage_account_daily
         WHERE account_id = ANY(${bind(targets.map((t) => t.accountId))}::uuid[]) AND day BETWEEN $1::date AND $2::date ${ownFilter}`;
    } else {
      // One branch per depth: `path[<literal>]` matches that level's expression index.
      const depths = [...new Set(targets.map((t) => t.depth))].sort();
      source = depths
        .map((depth) => {
          if (!Number.isInteger(depth) || depth < 0 || depth > 5) throw new Error(`Invalid account depth ${depth}`);
          const ids = targets.filter((t) => t.depth === depth).map((t) => t.accountId);
          return `
            SELECT path[${depth + 1}] AS account_id, path[${depth + 2}] AS child_id, day, user_id, sender_id,
                   messages, parts, delivered, failed, cost_units
              FROM messaging.usage_account_daily
             WHERE path[${depth + 1}] = ANY(${bind(ids)}::uuid[]) AND day BETWEEN $1::date AND $2::date ${ownFilter}`;
        })
        .join(' UNION ALL ');
    }
  }
  return { sql: `${select} FROM (${source}) AS usage ${tail}`, parameters };
}

function toUsageRow(row: UsageSqlRow): UsageRow {
  return {
    childAccountId: row.child_id,
    day: row.day,
    month: row.month,
    userId: row.user_id,
    senderId: row.sender_id,
    messages: Number(row.messages),
    parts: Number(row.parts),
    delivered: Number(row.delivered),
    failed: Number(row.failed),
    costUnits: Number(row.cost_units),
  };
}

/** The usage rows of several accounts under one query, by account id. */
export async function usageRowsByAccount(db: Sql, query: UsageQuery, targets: readonly UsageTarget[], options: { limit?: number; beforeRereading?: () => Promise<void> } = {}): Promise<Map<string, UsageRow[]>> {
  const { sql, parameters } = buildUsageSql(query, targets, options);
  // The same statement says whether usage changes wait in the outbox (usage-outbox.ts); when they
  // do, `beforeRereading` applies them and the report is read again.
  const withPending = `WITH usage AS (${sql}), pending AS (SELECT EXISTS (SELECT 1 FROM messaging.usage_outbox) AS pending)
    SELECT usage.*, pending.pending FROM usage, pending
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, pending.pending FROM pending WHERE NOT EXISTS (SELECT 1 FROM usage)`;
  let rows = await queryRows<UsageSqlRow & { pending: boolean }>(db, withPending, parameters);
  if (rows[0]?.pending && options.beforeRereading) {
    await options.beforeRereading();
    rows = await queryRows<UsageSqlRow & { pending: boolean }>(db, sql, parameters);
  }
  const rowsByAccount = new Map<string, UsageRow[]>();
  for (const row of rows) {
    if (row.account_id === null) continue;
    let list = rowsByAccount.get(row.account_id);
    if (!list) rowsByAccount.set(row.account_id, (list = []));
    list.push(toUsageRow(row));
  }
  return rowsByAccount;
}

/**
 * Per (account, day, user, sender) from raw messages, with the contract's meaning of a status
 * (./usage.ts): a cancelled message counts nothing, DELIVERED counts delivered,
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
  return inTransaction(dataSource, async (tx) => {
    await tx.query(`SET LOCAL work_mem = '256MB'`);
    // Pending outbox changes are in the raw messages already (usage-outbox.ts).
    await tx.query(`TRUNCATE messaging.usage_account_daily, messaging.usage_subtree_daily, messaging.usage_outbox`);
    await tx.query(REBUILD_ACCOUNT_DAILY_SQL);
    await tx.query(REBUILD_SUBTREE_DAILY_SQL);
    const [counts] = await queryRows<{ account_day_rows: string; subtree_day_rows: string }>(
      tx,
      `SELECT (SELECT count(*) FROM messaging.usage_account_daily) AS account_day_rows,
              (SELECT count(*) FROM messaging.usage_subtree_daily) AS subtree_day_rows`,
    );
    return { accountDayRows: Number(counts.account_day_rows), subtreeDayRows: Number(counts.subtree_day_rows) };
  });
}
