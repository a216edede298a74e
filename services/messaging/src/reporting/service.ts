import { mutate } from '@platform/audit';
import type { AccessControl } from '@platform/authz';
import { assertId, errors } from '@platform/errors';
import type { AccountUsageArgs, MutationCreateUsageExportArgs, UsageScope } from '../__generated__/resolvers-types';
import type { MessagingContext } from '../context';
import { SCHEMA } from '../data-source';
import { signExportToken, USAGE_EXPORT_PATH, type UsageExportRequest } from './export-token';
import { USAGE_GROUP_BY, type UsageQuery } from './store';

/** Longest range a report covers (a leap year); longer ones go through several requests. */
const MAX_RANGE_DAYS = 366;

// Matches no user: an OWN-scoped caller without a user id (an API key limited to own data) sees nothing.
const NO_USER = '00000000-0000-0000-0000-000000000000';

/**
 * What the caller may see of an account's usage (SPEC R2): everything with `reports`, only the
 * messages they sent themselves with `reports.own` (basic users), else FORBIDDEN.
 */
export async function reportScope(access: AccessControl, accountId: string): Promise<{ scope: UsageScope; ownUserId: string | null }> {
  const scope = await access.dataScope(accountId, 'reports');
  if (scope === 'ALL') return { scope, ownUserId: null };
  if (scope === 'OWN') return { scope, ownUserId: access.userId ?? NO_USER };
  throw errors.forbidden('Missing permission "reports" on this account');
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


/**
 * Permission and scope of an export, checked when the link is made and again when it is used
 * (a permission revoked in between stops the download).
 */
export async function authorizeExport(access: AccessControl, request: UsageExportRequest): Promise<UsageQuery> {
  const chain = await access.require(request.accountId, 'reports-export');
  const { ownUserId } = await reportScope(access, chain.id);
  const { from, to, groupBy } = validateUsageArgs(request);
  return { from, to, groupBy, includeDescendants: request.includeDescendants, ownUserId };
}

/** The usage report of an account, in the scope the caller may see (SPEC R1, R2). */
export async function accountUsage(ctx: MessagingContext, accountId: string, args: AccountUsageArgs) {
  const range = validateUsageArgs(args);
  const { scope, ownUserId } = await reportScope(ctx.access, accountId);
  const includeDescendants = args.includeDescendants ?? true;
  const result = await ctx.usage.load(accountId, { ...range, includeDescendants, ownUserId });
  return { ...range, includeDescendants, scope, totals: result.totals, rows: result.rows };
}

/** A one-time link to the report's CSV; an export hands data out of the platform, so who exported what is recorded (SPEC I9). */
export async function createUsageExport(ctx: MessagingContext, args: MutationCreateUsageExportArgs): Promise<{ url: string; expiresAt: Date }> {
  const accountId = assertId(args.accountId, 'accountId');
  const { groupBy } = validateUsageArgs(args);
  const request: UsageExportRequest = { accountId, from: args.from, to: args.to, groupBy, includeDescendants: args.includeDescendants ?? true };
  await authorizeExport(ctx.access, request);
  const chain = (await ctx.access.chains.load(accountId))!;
  const { token, expiresAt } = signExportToken(request, ctx.access.principal, ctx.config.internalSigningSecret);
  // Nothing else changes in the database: the transaction holds only the activity-log entry.
  return mutate({ dataSource: ctx.dataSource, schema: SCHEMA, principal: ctx.principal, chain }, 'createUsageExport', async () => ({
    result: { url: `${USAGE_EXPORT_PATH}?token=${token}`, expiresAt },
    targetType: 'UsageExport',
    after: { from: request.from, to: request.to, groupBy: request.groupBy, includeDescendants: request.includeDescendants },
  }));
}
