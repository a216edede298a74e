import type { AccessControl } from '@platform/authz';
import { errors } from '@platform/errors';

export type ReportScope = 'ALL' | 'OWN';

// Matches no user: an OWN-scoped caller without a user id (an API key limited to own data) sees nothing.
const NO_USER = '00000000-0000-0000-0000-000000000000';

/**
 * What the caller may see of an account's usage (SPEC R2): everything with `reports`, only the
 * messages they sent themselves with `reports.own` (basic users), else FORBIDDEN.
 */
export async function reportScope(access: AccessControl, accountId: string): Promise<{ scope: ReportScope; ownUserId: string | null }> {
  const scope = await access.dataScope(accountId, 'reports');
  if (scope === 'ALL') return { scope, ownUserId: null };
  if (scope === 'OWN') return { scope, ownUserId: access.userId ?? NO_USER };
  throw errors.forbidden('Missing permission "reports" on this account');
}
