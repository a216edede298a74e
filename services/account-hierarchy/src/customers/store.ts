import type { AccountStatus } from '@platform/authz';
import { keysetSql, queryRows, type PageRequest, type Sql } from '@platform/db';
import type { AccountRow } from '../accounts/store';

export interface CustomerRow {
  account: AccountRow;
  accountCount: number;
  /** the parent account's created_at at full precision (the page key) */
  createdAtKey: string;
}

/** Parent accounts with the size of their trees, newest first, for the operator (SPEC O3). */
export async function findCustomers(db: Sql, filter: { nameContains?: string | null; status?: AccountStatus | null }, page: PageRequest<readonly [string, string]>): Promise<CustomerRow[]> {
  const parameters: unknown[] = [filter.nameContains ? `%${filter.nameContains.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null, filter.status ?? null];
  const keyset = keysetSql(page, { columns: ['r.created_at', 'r.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: parameters.length + 1 });
  const rows = await queryRows<{ id: string; name: string; status: AccountStatus; createdAt: Date; createdAtKey: string; accountCount: number }>(
    db,
    `SELECT r.id, r.name, r.status, r.created_at AS "createdAt", r.created_at::text AS "createdAtKey",
            (SELECT count(*)::int FROM hierarchy.accounts a WHERE a.root_id = r.id) AS "accountCount"
       FROM hierarchy.accounts r
      WHERE r.parent_id IS NULL AND ($1::text IS NULL OR r.name ILIKE $1) AND ($2::text IS NULL OR r.status = $2) AND ${keyset.where}
      ORDER BY ${keyset.orderBy}
      LIMIT ${keyset.limit}`,
    [...parameters, ...keyset.parameters],
  );
  return rows.map((row) => ({
    account: { id: row.id, parentId: null, rootId: row.id, path: [row.id], depth: 0, name: row.name, status: row.status, createdAt: row.createdAt },
    accountCount: row.accountCount,
    createdAtKey: row.createdAtKey,
  }));
}
