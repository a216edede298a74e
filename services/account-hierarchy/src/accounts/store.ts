import type { Sql } from '@platform/db';
import type { AccountStatus } from '@platform/authz';

export interface AccountRow {
  id: string;
  parentId: string | null;
  rootId: string;
  path: string[];
  depth: number;
  name: string;
  status: AccountStatus;
  createdAt: Date;
}

const COLUMNS = 'id, parent_id AS "parentId", root_id AS "rootId", path, depth, name, status, created_at AS "createdAt"';

export const MAX_DEPTH = 5;

export class AccountStore {
  constructor(private readonly db: Sql) {}

  findByIds(ids: readonly string[]): Promise<AccountRow[]> {
    return this.db.query(`SELECT ${COLUMNS} FROM hierarchy.accounts WHERE id = ANY($1::uuid[])`, [ids]);
  }

  findChildren(parentIds: readonly string[]): Promise<AccountRow[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM hierarchy.accounts WHERE parent_id = ANY($1::uuid[]) ORDER BY name, id`,
      [parentIds],
    );
  }

  /** Accounts in the subtrees of rootIds (roots included), parents before children. */
  findSubtrees(rootIds: string[], options: { minDepth?: number; maxDepth?: number; limit?: number; after?: { depth: number; name: string; id: string } } = {}): Promise<AccountRow[]> {
    const conditions = ['path && $1::uuid[]'];
    const params: unknown[] = [rootIds];
    if (options.minDepth !== undefined) {
      params.push(options.minDepth);
      conditions.push(`depth >= $${params.length}`);
    }
    if (options.maxDepth !== undefined) {
      params.push(options.maxDepth);
      conditions.push(`depth <= $${params.length}`);
    }
    if (options.after) {
      params.push(options.after.depth, options.after.name, options.after.id);
      const n = params.length;
      conditions.push(`(depth, name, id) > ($${n - 2}, $${n - 1}, $${n}::uuid)`);
    }
    let sql = `SELECT ${COLUMNS} FROM hierarchy.accounts WHERE ${conditions.join(' AND ')} ORDER BY depth, name, id`;
    if (options.limit !== undefined) {
      params.push(options.limit);
      sql += ` LIMIT $${params.length}`;
    }
    return this.db.query(sql, params);
  }
}

/** Writes; every method runs inside the caller's transaction. */
export class AccountWriter {
  constructor(private readonly tx: Sql) {}

  /** Serialises structural changes (create, move, close) within one tree. */
  async lockTree(rootId: string): Promise<void> {
    await this.tx.query(`SELECT id FROM hierarchy.accounts WHERE id = $1 FOR UPDATE`, [rootId]);
  }

  async findForUpdate(id: string): Promise<AccountRow | null> {
    const rows: AccountRow[] = await this.tx.query(`SELECT ${COLUMNS} FROM hierarchy.accounts WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async insertChild(parent: AccountRow, name: string): Promise<AccountRow> {
    const rows: AccountRow[] = await this.tx.query(
      `WITH new_id AS (SELECT gen_random_uuid() AS id)
       INSERT INTO hierarchy.accounts (id, parent_id, root_id, path, depth, name)
       SELECT new_id.id, $1, $2, $3::uuid[] || new_id.id, $4, $5 FROM new_id
       RETURNING ${COLUMNS}`,
      [parent.id, parent.rootId, parent.path, parent.depth + 1, name],
    );
    return rows[0];
  }

  /** A new customer's parent account (SPEC O2): its own root, depth 0. */
  async insertRoot(name: string): Promise<AccountRow> {
    const rows: AccountRow[] = await this.tx.query(
      `WITH new_id AS (SELECT gen_random_uuid() AS id)
       INSERT INTO hierarchy.accounts (id, parent_id, root_id, path, depth, name)
       SELECT new_id.id, NULL, new_id.id, ARRAY[new_id.id], 0, $1 FROM new_id
       RETURNING ${COLUMNS}`,
      [name],
    );
    return rows[0];
  }

  /** Reopens a closed account (SPEC O3); with cascade also the descendants that were closed with it. */
  async reopen(account: { id: string }, options: { cascade: boolean }): Promise<void> {
    await this.tx.query(
      `UPDATE hierarchy.accounts a
          SET status = 'ACTIVE', closed_at = NULL, updated_at = now()
         FROM hierarchy.accounts target
        WHERE target.id = $1 AND a.status = 'CLOSED'
          AND (a.id = target.id OR ($2 AND a.path @> ARRAY[target.id] AND a.closed_at = target.closed_at))`,
      [account.id, options.cascade],
    );
  }

  async subtreeMaxDepth(id: string): Promise<number> {
    const rows: { max: number }[] = await this.tx.query(`SELECT max(depth)::int AS max FROM hierarchy.accounts WHERE path @> ARRAY[$1::uuid]`, [id]);
    return rows[0].max;
  }

  async countOpenChildren(id: string): Promise<number> {
    const rows: { count: number }[] = await this.tx.query(
      `SELECT count(*)::int AS count FROM hierarchy.accounts WHERE parent_id = $1 AND status <> 'CLOSED'`,
      [id],
    );
    return rows[0].count;
  }

  /** Rewrites the paths and depths of the whole subtree of `account` in one statement. */
  async moveSubtree(account: AccountRow, newParent: AccountRow): Promise<void> {
    await this.tx.query(
      `UPDATE hierarchy.accounts
          SET path = $2::uuid[] || path[$3:],
              depth = depth + $4,
              parent_id = CASE WHEN id = $1 THEN $5::uuid ELSE parent_id END,
              updated_at = now()
        WHERE path @> ARRAY[$1::uuid]`,
      [account.id, newParent.path, account.depth + 1, newParent.depth + 1 - account.depth, newParent.id],
    );
    // The one sanctioned write into another subgraph's schema: usage rollups (SPEC R1) are keyed by
    // ancestor, so the moved subtree's history must follow it in this same transaction (SPEC H7), or
    // reports would disagree with the tree. The function is owned and migrated by messaging.
    await this.tx.query(`SELECT messaging.move_account_usage($1::uuid, $2::uuid[], $3::uuid[])`, [
      account.id,
      account.path,
      [...newParent.path, account.id],
    ]);
  }

  async setStatus(id: string, status: AccountStatus, options: { cascade: boolean }): Promise<void> {
    const scope = options.cascade ? 'path @> ARRAY[$1::uuid]' : 'id = $1';
    await this.tx.query(
      `UPDATE hierarchy.accounts
          SET status = $2, updated_at = now(),
              closed_at = CASE WHEN $2 = 'CLOSED' THEN now() ELSE closed_at END,
              -- closing answers a pending closure request
              closure_requested_at = CASE WHEN $2 = 'CLOSED' THEN NULL ELSE closure_requested_at END,
              closure_request_reason = CASE WHEN $2 = 'CLOSED' THEN NULL ELSE closure_request_reason END
        WHERE ${scope} AND status <> 'CLOSED'`,
      [id, status],
    );
  }

  async rename(id: string, name: string): Promise<void> {
    await this.tx.query(`UPDATE hierarchy.accounts SET name = $2, updated_at = now() WHERE id = $1`, [id, name]);
  }
}
