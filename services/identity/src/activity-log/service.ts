import { activityLogSchemas, verifyActivityLog, type AuditLog } from '@platform/audit';
import { timeIdPageRequest, toConnection, withTotalCount, type CountedConnection, type PageArguments } from '@platform/db';
import { AppError, assertId } from '@platform/errors';
import type { ActivityLogFilter, ActivityLogVerification } from '../__generated__/resolvers-types';
import type { IdentityContext } from '../context';
import { ActivityLogStore, type ActivityLogEntryRow } from './store';

const LOG_PAGE = { defaultSize: 50, maxSize: 200 } as const;

/** A page of the log; `entries` is the deprecated name of its nodes. */
export type ActivityLogPageValue = CountedConnection<ActivityLogEntryRow> & { entries: ActivityLogEntryRow[] };



/**
 * Reads the activity log (SPEC I9) of every subgraph. Entries are matched by the target
 * account's path at the time of the change: after a move, older entries stay with the branch
 * where they happened.
 */
export class ActivityLogService {
  constructor(private readonly ctx: IdentityContext) {}

  async page(accountId: string, filter: ActivityLogFilter = {}, args: PageArguments = {}) {
    const chain = await this.ctx.access.require(assertId(accountId, 'accountId'), 'security');
    return this.read(chain.id, filter, args, 'activity_log');
  }

  /** The operator log of an account (SPEC O4), for operators: the same entries' operator copies, which customers never read. */
  async operatorPage(accountId: string, filter: ActivityLogFilter = {}, args: PageArguments = {}) {
    const chain = await this.ctx.access.requireAsOperator(assertId(accountId, 'accountId'), 'customers.read');
    return this.read(chain.id, filter, args, 'operator_log');
  }

  private async read(accountId: string, filter: ActivityLogFilter, args: PageArguments, log: AuditLog): Promise<ActivityLogPageValue> {
    const page = timeIdPageRequest({ first: args.first, after: args.after }, LOG_PAGE);
    const selection = {
      accountId,
      includeDescendants: filter.includeDescendants ?? false,
      actorId: filter.actorId ?? null,
      action: filter.action ?? null,
      from: filter.from?.toISOString() ?? null,
      to: filter.to?.toISOString() ?? null,
    };
    const store = new ActivityLogStore(this.ctx.dataSource);
    const rows = await store.findEntries(selection, page, log);
    const connection = toConnection(rows, page, (row) => [row.cursorAt, row.id]);
    return { ...withTotalCount(connection, () => store.countEntries(selection, log)), entries: connection.nodes };
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
