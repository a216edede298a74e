import { errors } from '@platform/errors';

export const USAGE_GROUP_BY = ['CHILD_ACCOUNT', 'DAY', 'MONTH', 'USER', 'SENDER_ID'] as const;
export type UsageGroupBy = (typeof USAGE_GROUP_BY)[number];

/** Longest range a report covers (a leap year); longer ones go through several requests. */
export const MAX_RANGE_DAYS = 366;

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

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDate(value: string, field: string): number {
  const match = DATE_PATTERN.exec(value);
  const time = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN;
  if (!match || Number.isNaN(time) || new Date(time).toISOString().slice(0, 10) !== value) {
    throw errors.badInput(`${field} must be a calendar date YYYY-MM-DD`, field);
  }
  return time;
}

/** Checks the range and normalises groupBy; every refusal is BAD_USER_INPUT naming the field. */
export function validateUsageArgs(args: { from: string; to: string; groupBy?: readonly string[] | null }): Pick<UsageQuery, 'from' | 'to' | 'groupBy'> {
  const from = parseDate(args.from, 'from');
  const to = parseDate(args.to, 'to');
  if (from > to) throw errors.badInput('from must not be after to', 'from');
  const days = (to - from) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) throw errors.badInput(`The range covers ${days} days; at most ${MAX_RANGE_DAYS} are allowed`, 'to');
  const requested = new Set(args.groupBy ?? []);
  for (const key of requested) {
    if (!(USAGE_GROUP_BY as readonly string[]).includes(key)) throw errors.badInput(`Unknown groupBy ${key}`, 'groupBy');
  }
  return { from: args.from, to: args.to, groupBy: USAGE_GROUP_BY.filter((key) => requested.has(key)) };
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

export function toUsageRow(row: UsageSqlRow): UsageRow {
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

export function sumMeasures(rows: readonly UsageMeasures[]): UsageMeasures {
  const totals: UsageMeasures = { messages: 0, parts: 0, delivered: 0, failed: 0, costUnits: 0 };
  for (const row of rows) {
    totals.messages += row.messages;
    totals.parts += row.parts;
    totals.delivered += row.delivered;
    totals.failed += row.failed;
    totals.costUnits += row.costUnits;
  }
  return totals;
}
