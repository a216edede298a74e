import { activityLogSchemas, type AuditLog } from '@platform/audit';
import { keysetSql, queryRows, timestampKeySql, type PageRequest, type Sql } from '@platform/db';

export interface ActivityLogEntryRow {
  id: string;
  /** occurred_at at full precision (the page key) */
  cursorAt: string;
  source: string;
  occurredAt: Date;
  action: string;
  actorKind: string;
  actorId: string | null;
  actingAccountId: string | null;
  targetAccountId: string | null;
  targetType: string | null;
  targetId: string | null;
  before: unknown;
  after: unknown;
}

/** Which entries of one account a page reads; `from`/`to` are ISO instants. */
export interface ActivityLogSelection {
  accountId: string;
  includeDescendants: boolean;
  actorId: string | null;
  action: string | null;
  from: string | null;
  to: string | null;
}

/** The WHERE of one selection (the same for every schema's log) and its parameters. */
function whereOf(selection: ActivityLogSelection): { where: string; params: unknown[] } {
  const params: unknown[] = [selection.accountId];
  const conditions = [selection.includeDescendants ? `target_account_path && ARRAY[$1::uuid]` : `target_account_id = $1`];
  const add = (sql: (n: number) => string, value: unknown) => {
    params.push(value);
    conditions.push(sql(params.length));
  };
  if (selection.actorId) add((n) => `actor_id = $${n}`, selection.actorId);
  if (selection.action) add((n) => `action = $${n}`, selection.action);
  if (selection.from) add((n) => `occurred_at >= $${n}::timestamptz`, selection.from);
  if (selection.to) add((n) => `occurred_at < $${n}::timestamptz`, selection.to);
  return { where: conditions.join(' AND '), params };
}

/**
 * Each subgraph appends to `<schema>.activity_log` in its own schema; these tables are append-only
 * read models, so the log is read as their union (one SQL statement, whatever schemas have a log today).
 */
export class ActivityLogStore {
  constructor(private readonly db: Sql) {}

  /** A page, newest first: by occurred_at, then id (ids are unique across the logs). */
  async findEntries(selection: ActivityLogSelection, page: PageRequest<readonly [string, string]>, log: AuditLog = 'activity_log'): Promise<ActivityLogEntryRow[]> {
    const schemas = await activityLogSchemas(this.db, log);
    if (schemas.length === 0) return [];
    const { where, params } = whereOf(selection);
    const keyset = keysetSql(page, { columns: ['occurred_at', 'id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: params.length + 1 });
    const union = schemas
      .map(
        (schema) => `(SELECT id, '${schema}' AS source, occurred_at, ${timestampKeySql('occurred_at')} AS "cursorAt", occurred_at AS "occurredAt", action,
                            actor_kind AS "actorKind", actor_id AS "actorId", acting_account_id AS "actingAccountId", target_account_id AS "targetAccountId",
                            target_type AS "targetType", target_id AS "targetId", before, after
                       FROM ${schema}.${log} WHERE ${where} AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit})`,
      )
      .join(' UNION ALL ');
    const rows = await queryRows<ActivityLogEntryRow & { occurred_at?: Date }>(
      this.db,
      `SELECT * FROM (${union}) entries ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
      [...params, ...keyset.parameters],
    );
    return rows.map(({ occurred_at: _sortKey, ...row }) => row);
  }

  async countEntries(selection: ActivityLogSelection, log: AuditLog = 'activity_log'): Promise<number> {
    const schemas = await activityLogSchemas(this.db, log);
    if (schemas.length === 0) return 0;
    const { where, params } = whereOf(selection);
    const union = schemas.map((schema) => `SELECT count(*) AS n FROM ${schema}.${log} WHERE ${where}`).join(' UNION ALL ');
    const [row] = await queryRows<{ count: number }>(this.db, `SELECT coalesce(sum(n), 0)::int AS count FROM (${union}) counts`, params);
    return row.count;
  }
}
