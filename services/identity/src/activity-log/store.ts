import { activityLogSchemas, type AuditLog } from '@platform/audit';
import { queryRows, type Sql } from '@platform/db';

export interface ActivityLogEntryRow {
  id: string;
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

/** Which entries of one account a page reads; `from`/`to` are ISO instants, `after` the last entry of the previous page. */
export interface ActivityLogSelection {
  accountId: string;
  includeDescendants: boolean;
  actorId: string | null;
  action: string | null;
  from: string | null;
  to: string | null;
  after: { at: string; id: string } | null;
  limit: number;
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
  if (selection.after) {
    params.push(selection.after.at, selection.after.id);
    conditions.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  return { where: conditions.join(' AND '), params };
}

/**
 * Each subgraph appends to `<schema>.activity_log` in its own schema; these tables are append-only
 * read models, so the log is read as their union (one SQL statement, whatever schemas have a log today).
 */
export class ActivityLogStore {
  constructor(private readonly db: Sql) {}

  /** Newest first. */
  async findEntries(selection: ActivityLogSelection, log: AuditLog = 'activity_log'): Promise<ActivityLogEntryRow[]> {
    const schemas = await activityLogSchemas(this.db, log);
    if (schemas.length === 0) return [];
    const { where, params } = whereOf(selection);
    const union = schemas
      .map(
        (schema) => `SELECT id, '${schema}' AS source, occurred_at AS "occurredAt", action, actor_kind AS "actorKind", actor_id AS "actorId",
                            acting_account_id AS "actingAccountId", target_account_id AS "targetAccountId",
                            target_type AS "targetType", target_id AS "targetId", before, after
                       FROM ${schema}.${log} WHERE ${where}`,
      )
      .join(' UNION ALL ');
    params.push(selection.limit);
    return queryRows<ActivityLogEntryRow>(this.db, `SELECT * FROM (${union}) entries ORDER BY "occurredAt" DESC, id DESC LIMIT $${params.length}`, params);
  }
}
