import type { AccountStatus } from '@platform/authz';
import { containsPattern, keysetSql, queryRows, type CountedConnection, type PageRequest, type Sql } from '@platform/db';
import type { AccountRow } from '../accounts/store';

export interface CustomerRow {
  account: AccountRow;
  accountCount: number;
  /** the parent account's created_at at full precision (the page key) */
  createdAtKey: string;
}

export type CustomerConnectionValue = CountedConnection<CustomerRow>;

type CustomerFilter = { nameContains?: string | null; status?: AccountStatus | null; closureRequested?: boolean | null };

const customerConditions = `r.parent_id IS NULL AND ($1::text IS NULL OR r.name ILIKE $1) AND ($2::text IS NULL OR r.status = $2)
        AND ($3::boolean IS NULL OR (r.closure_requested_at IS NOT NULL) = $3)`;
const customerParameters = (filter: CustomerFilter) => [filter.nameContains ? containsPattern(filter.nameContains) : null, filter.status ?? null, filter.closureRequested ?? null];

export async function countCustomers(db: Sql, filter: CustomerFilter): Promise<number> {
  const [row] = await queryRows<{ count: number }>(db, `SELECT count(*)::int AS count FROM hierarchy.accounts r WHERE ${customerConditions}`, customerParameters(filter));
  return row.count;
}

/** Parent accounts with the size of their trees, newest first, for the operator (SPEC O3). */
export async function findCustomers(db: Sql, filter: CustomerFilter, page: PageRequest<readonly [string, string]>): Promise<CustomerRow[]> {
  const parameters: unknown[] = customerParameters(filter);
  const keyset = keysetSql(page, { columns: ['r.created_at', 'r.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: parameters.length + 1 });
  const rows = await queryRows<{ id: string; name: string; status: AccountStatus; createdAt: Date; createdAtKey: string; accountCount: number }>(
    db,
    `SELECT r.id, r.name, r.status, r.created_at AS "createdAt", r.created_at::text AS "createdAtKey",
            (SELECT count(*)::int FROM hierarchy.accounts a WHERE a.root_id = r.id) AS "accountCount"
       FROM hierarchy.accounts r
      WHERE ${customerConditions} AND ${keyset.where}
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

export interface ClosureRequestRow {
  accountId: string;
  requestedAt: Date;
  reason: string;
}

/** Records (or renews) a customer's request that the operator close its tree; null when the account is closed already. */
export async function recordClosureRequest(tx: Sql, accountId: string, reason: string): Promise<ClosureRequestRow | null> {
  const [row] = await queryRows<ClosureRequestRow>(
    tx,
    `UPDATE hierarchy.accounts SET closure_requested_at = now(), closure_request_reason = $2, updated_at = now()
      WHERE id = $1 AND status <> 'CLOSED'
      RETURNING id AS "accountId", closure_requested_at AS "requestedAt", closure_request_reason AS reason`,
    [accountId, reason],
  );
  return row ?? null;
}

export function findClosureRequests(db: Sql, accountIds: readonly string[]): Promise<ClosureRequestRow[]> {
  return queryRows<ClosureRequestRow>(
    db,
    `SELECT id AS "accountId", closure_requested_at AS "requestedAt", closure_request_reason AS reason
       FROM hierarchy.accounts WHERE id = ANY($1::uuid[]) AND closure_requested_at IS NOT NULL`,
    [accountIds],
  );
}
