import { activityLogSchemas, verifyActivityLog, type ActivityLogVerification } from '@platform/audit';
import { decodeCursor, encodeCursor } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { IdentityContext } from '../context';

export interface ActivityLogFilter {
  actorId?: string | null;
  action?: string | null;
  from?: string | null;
  to?: string | null;
  includeDescendants?: boolean | null;
}

export interface ActivityLogEntryRow {
  id: string;
  source: string;
  occurred_at: Date;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  acting_account_id: string | null;
  target_account_id: string | null;
  target_type: string | null;
  target_id: string | null;
  before: unknown;
  after: unknown;
}

const MAX_PAGE = 200;

function parseInstant(value: string | null | undefined, field: string): string | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw errors.badInput(`${field} must be an ISO 8601 date-time`, field);
  return date.toISOString();
}

/** The `after` of a page: the (occurredAt, id) of the last entry of the previous one. */
function decodeAfter(cursor: string): { at: string; id: string } {
  const [at, id] = decodeCursor(cursor, ['string', 'string'], 'after');
  if (Number.isNaN(new Date(at).getTime())) throw errors.badInput('after is not a cursor of this list', 'after');
  return { at, id: assertId(id, 'after') };
}

// occurred_at is written with millisecond precision, so its ISO text is the exact sort key.
const endCursorOf = (row: ActivityLogEntryRow) => encodeCursor([row.occurred_at.toISOString(), row.id]);

/**
 * Reads the activity log (SPEC I9). Each subgraph appends to `<schema>.activity_log` in its own
 * schema; these tables are append-only read models, so this query reads their union directly
 * (one SQL statement, whatever schemas have a log today). Entries are matched by the target
 * account's path at the time of the change: after a move, older entries stay with the branch
 * where they happened.
 */
export class ActivityLogService {
  constructor(private readonly ctx: IdentityContext) {}

  async page(accountId: string, filter: ActivityLogFilter = {}, first = 50, after?: string | null) {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'security');
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw errors.badInput(`first must be between 1 and ${MAX_PAGE}`, 'first');
    const params: unknown[] = [chain.id];
    const conditions = [filter.includeDescendants ? `target_account_path && ARRAY[$1::uuid]` : `target_account_id = $1`];
    const add = (sql: (n: number) => string, value: unknown) => {
      params.push(value);
      conditions.push(sql(params.length));
    };
    if (filter.actorId) add((n) => `actor_id = $${n}`, filter.actorId);
    if (filter.action) add((n) => `action = $${n}`, filter.action);
    const from = parseInstant(filter.from, 'from');
    const to = parseInstant(filter.to, 'to');
    if (from) add((n) => `occurred_at >= $${n}::timestamptz`, from);
    if (to) add((n) => `occurred_at < $${n}::timestamptz`, to);
    if (after) {
      const cursor = decodeAfter(after);
      params.push(cursor.at, cursor.id);
      conditions.push(`(occurred_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const schemas = await activityLogSchemas(this.ctx.dataSource);
    if (schemas.length === 0) return { entries: [], endCursor: null, hasNextPage: false };
    const where = conditions.join(' AND ');
    const union = schemas
      .map(
        (schema) => `SELECT id, '${schema}' AS source, occurred_at, action, actor_kind, actor_id, acting_account_id, target_account_id,
                            target_type, target_id, before, after
                       FROM ${schema}.activity_log WHERE ${where}`,
      )
      .join(' UNION ALL ');
    params.push(first + 1);
    const rows: ActivityLogEntryRow[] = await this.ctx.dataSource.query(
      `SELECT * FROM (${union}) entries ORDER BY occurred_at DESC, id DESC LIMIT $${params.length}`,
      params,
    );
    const entries = rows.slice(0, first);
    return { entries, endCursor: entries.length ? endCursorOf(entries[entries.length - 1]) : null, hasNextPage: rows.length > first };
  }

  /** Verifies every schema's chain of the account's tree; only for security holders on the root. */
  async verify(accountId: string): Promise<ActivityLogVerification> {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'security');
    if (!(await this.ctx.access.can(chain.rootId, 'security'))) {
      throw new AppError('FORBIDDEN', "Verifying the log needs the security permission on the tree's parent account");
    }
    const results = await Promise.all((await activityLogSchemas(this.ctx.dataSource)).map((schema) => verifyActivityLog(this.ctx.dataSource, schema, chain.rootId)));
    const problems = results.flatMap((r) => r.problems.map((p) => ({ ...p, source: p.schema })));
    return { valid: problems.length === 0, checkedEntries: results.reduce((sum, r) => sum + r.checkedEntries, 0), problems };
  }
}
