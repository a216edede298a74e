import { activityLogSchemas, verifyActivityLog, type AuditLog } from '@platform/audit';
import { decodeCursor, encodeCursor } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { ActivityLogFilter, ActivityLogVerification } from '../__generated__/resolvers-types';
import type { IdentityContext } from '../context';
import { ActivityLogStore, type ActivityLogEntryRow } from './store';

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
const endCursorOf = (row: ActivityLogEntryRow) => encodeCursor([row.occurredAt.toISOString(), row.id]);

/**
 * Reads the activity log (SPEC I9) of every subgraph. Entries are matched by the target
 * account's path at the time of the change: after a move, older entries stay with the branch
 * where they happened.
 */
export class ActivityLogService {
  constructor(private readonly ctx: IdentityContext) {}

  async page(accountId: string, filter: ActivityLogFilter = {}, first = 50, after?: string | null) {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'security');
    return this.read(chain.id, filter, first, after, 'activity_log');
  }

  /** The operator log of an account (SPEC O4), for operators: the same entries' operator copies, which customers never read. */
  async operatorPage(accountId: string, filter: ActivityLogFilter = {}, first = 50, after?: string | null) {
    const chain = await this.ctx.access.requireAsOperator(assertId(accountId, 'accountId'), 'customers.read');
    return this.read(chain.id, filter, first, after, 'operator_log');
  }

  private async read(accountId: string, filter: ActivityLogFilter, first: number, after: string | null | undefined, log: AuditLog) {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE) throw errors.badInput(`first must be between 1 and ${MAX_PAGE}`, 'first');
    const rows = await new ActivityLogStore(this.ctx.dataSource).findEntries({
      accountId,
      includeDescendants: filter.includeDescendants ?? false,
      actorId: filter.actorId ?? null,
      action: filter.action ?? null,
      from: parseInstant(filter.from, 'from'),
      to: parseInstant(filter.to, 'to'),
      after: after ? decodeAfter(after) : null,
      limit: first + 1,
    }, log);
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
