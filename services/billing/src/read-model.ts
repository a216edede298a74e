import type { Sql } from './sql';

/**
 * The hierarchy's shared read model as billing needs it, in one place: the effective timezone
 * (SPEC H5: the nearest ancestor-or-self override of `timezone`, else UTC) and account names
 * for invoice lines. Visibility and chains come from @platform/authz.
 */
export async function effectiveTimezone(db: Sql, path: string[]): Promise<string> {
  const rows = await db.rows<{ account_id: string; timezone: string }>(
    `SELECT account_id, overrides->>'timezone' AS timezone
       FROM hierarchy.account_settings
      WHERE account_id = ANY($1::uuid[]) AND overrides ? 'timezone'`,
    [path],
  );
  const byAccount = new Map(rows.map((r) => [r.account_id, r.timezone]));
  for (let i = path.length - 1; i >= 0; i--) {
    const timezone = byAccount.get(path[i]);
    if (timezone) return timezone;
  }
  return 'UTC';
}

/** Every account of the subtree of `accountId` with its name and depth (for invoice lines). */
export async function subtreeAccounts(db: Sql, accountId: string): Promise<{ id: string; name: string; depth: number; path: string[] }[]> {
  return db.rows(`SELECT id, name, depth, path FROM hierarchy.accounts WHERE path @> ARRAY[$1::uuid] ORDER BY depth, name, id`, [accountId]);
}
