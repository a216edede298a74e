import { containsPattern, keysetSql, pagesPerParentSql, queryRows, type CountedConnection, type PageRequest, type Sql } from '@platform/db';
import type { AccountStatus } from '@platform/authz';

export interface AccountRow {
  id: string;
  parentId: string | null;
  rootId: string;
  path: string[];
  depth: number;
  name: string;
  status: AccountStatus;
  /** epoch milliseconds (the DateTime scalar serializes them) */
  createdAt: number | Date;
}

// The path is read as text and split (pg parses a uuid[] element by element), the creation time as
// epoch milliseconds (no Date per row): for a 10,000-account tree, a third of the parse time.
const columns = (table = '') =>
  `${table}id, ${table}parent_id AS "parentId", ${table}root_id AS "rootId", array_to_string(${table}path, ',') AS path, ${table}depth, ${table}name, ${table}status, ` +
  `(extract(epoch FROM ${table}created_at) * 1000)::float8 AS "createdAt"`;
const COLUMNS = columns();

// The same as one line of text per account, for a whole tree in one text: one value for
// node-postgres to read instead of 10,000 rows of 8 (issue 17). Its fields, tab-separated: the id;
// for a root of the read its ancestors (path without its own id), for any other account its parent
// on the path, whose path (read before it: parents come first) it extends; the status's initial; the
// creation time in epoch microseconds (an integer: no numeric arithmetic per row); the parent's id only
// where it is not the path's next-to-last id (never, as the tree is written, but no CHECK says so);
// the name last, quoted as a JSON string (no tab or line break can appear unescaped in any field).
// Whole paths are not written per account: printing ~4.4 uuids per row was a third of the statement.
const TEXT_FIELDS =
  `concat_ws(E'\\t', id, CASE WHEN id = ANY($1::uuid[]) THEN array_to_string(path[1:depth], ',') ELSE path[depth]::text END, left(status, 1), ` +
  `(date_part('epoch', created_at) * 1000000)::int8, CASE WHEN parent_id IS DISTINCT FROM path[depth] THEN parent_id::text ELSE '' END, to_json(name))`;

const STATUS_OF_INITIAL: Record<string, AccountStatus> = { A: 'ACTIVE', S: 'SUSPENDED', C: 'CLOSED' };

/** The rows of TEXT_FIELDS' lines, read under `rootIds`. */
function rowsOfText(text: string, rootIds: readonly string[]): AccountRow[] {
  const roots = new Set(rootIds.map((id) => id.toLowerCase()));
  const pathOf = new Map<string, string[]>();
  const rows: AccountRow[] = [];
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const f1 = text.indexOf('\t', start);
    const f2 = text.indexOf('\t', f1 + 1);
    const f3 = f2 + 2; // the status's initial is one character
    const f4 = text.indexOf('\t', f3 + 1);
    const f5 = text.indexOf('\t', f4 + 1);
    const id = text.slice(start, f1);
    const above = text.slice(f1 + 1, f2);
    let path: string[];
    if (roots.has(id)) {
      path = above ? above.split(',') : [];
      path.push(id);
    } else {
      const parentPath = pathOf.get(above);
      if (!parentPath) throw new Error(`Account ${id} was read before its parent ${above}`);
      path = [...parentPath, id];
    }
    pathOf.set(id, path);
    const depth = path.length - 1;
    const parentText = f5 > f4 + 1 ? text.slice(f4 + 1, f5) : undefined;
    let name = text.slice(f5 + 2, end - 1);
    if (name.includes('\\')) name = JSON.parse(text.slice(f5 + 1, end)) as string;
    rows.push({
      id,
      parentId: parentText ?? (depth > 0 ? path[depth - 1] : null),
      rootId: path[0],
      path,
      depth,
      status: STATUS_OF_INITIAL[text[f2 + 1]],
      createdAt: Number(text.slice(f3 + 1, f4)) / 1000,
      name,
    });
    start = end + 1;
  }
  return rows;
}

/** Rows selected with `columns()`: their paths split, in place. */
async function accountRows<T extends AccountRow>(db: Sql, sql: string, parameters: unknown[]): Promise<T[]> {
  const rows = await queryRows<T & { path: string[] | string }>(db, sql, parameters);
  for (const row of rows) if (typeof row.path === 'string') row.path = row.path.split(',');
  return rows as T[];
}

export type AccountName = Pick<AccountRow, 'id' | 'name'>;

/** Criteria of a list of accounts (SDL AccountFilter); depths are Account.depth values. */
export interface AccountListFilter {
  nameContains?: string | null;
  status?: AccountStatus | null;
  depth?: number | null;
  maxDepth?: number | null;
}

/** Tree lists page by (depth, name, id): parents before children; the id breaks ties of equal names. */
export type TreePageKey = readonly [number, string, string];
/** Children page by (name, id). */
export type ChildPageKey = readonly [string, string];

/** Accounts `a` below `parent.id`, at most $2 levels below it when $2 is not null. */
const descendantConditions = [
  'a.path @> ARRAY[parent.id]',
  'a.id <> parent.id',
  '($2::int IS NULL OR cardinality(a.path) - array_position(a.path, parent.id) <= $2::int)',
];

/** The conditions of `filter` on the accounts aliased `a`, with their values appended to `parameters`. */
function filterConditions(filter: AccountListFilter, parameters: unknown[]): string[] {
  const conditions: string[] = [];
  const add = (condition: (placeholder: string) => string, value: unknown) => {
    parameters.push(value);
    conditions.push(condition(`$${parameters.length}`));
  };
  if (filter.nameContains) add((p) => `a.name ILIKE ${p}`, containsPattern(filter.nameContains));
  if (filter.status) add((p) => `a.status = ${p}`, filter.status);
  if (filter.depth != null) add((p) => `a.depth = ${p}::int`, filter.depth);
  if (filter.maxDepth != null) add((p) => `a.depth <= ${p}::int`, filter.maxDepth);
  return conditions;
}

export const MAX_DEPTH = 5;

export class AccountStore {
  constructor(private readonly db: Sql) {}

  findByIds(ids: readonly string[]): Promise<AccountRow[]> {
    return accountRows(this.db, `SELECT ${COLUMNS} FROM hierarchy.accounts WHERE id = ANY($1::uuid[])`, [ids]);
  }

  /** Every account in the subtrees of rootIds (roots included), parents before children. */
  async findSubtrees(rootIds: string[]): Promise<AccountRow[]> {
    const [row] = await queryRows<{ rows: string | null }>(this.db, `SELECT string_agg(${TEXT_FIELDS}, E'\\n' ORDER BY depth, name, id) AS rows FROM hierarchy.accounts WHERE path && $1::uuid[]`, [rootIds]);
    return row?.rows ? rowsOfText(row.rows, rootIds) : [];
  }

  /**
   * findSubtrees' accounts with their ids and names alone (what a tree asked only `{ id name }`
   * needs, e.g. the gateway's first fetch of `accountTree { id name messageCount balance }`): one line
   * per account, the id, a tab, then the name as a JSON string.
   */
  async findSubtreeNames(rootIds: string[]): Promise<AccountName[]> {
    const [row] = await queryRows<{ rows: string | null }>(this.db, `SELECT string_agg(id || E'\\t' || to_json(name), E'\\n' ORDER BY depth, name, id) AS rows FROM hierarchy.accounts WHERE path && $1::uuid[]`, [rootIds]);
    const text = row?.rows;
    const accounts: AccountName[] = [];
    if (!text) return accounts;
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const tab = text.indexOf('\t', start);
      let name = text.slice(tab + 2, end - 1);
      if (name.includes('\\')) name = JSON.parse(text.slice(tab + 1, end)) as string;
      accounts.push({ id: text.slice(start, tab), name });
      start = end + 1;
    }
    return accounts;
  }

  /** One page of the accounts in the subtrees of rootIds (roots included) matching filter, parents before children. */
  findSubtreePage(rootIds: readonly string[], filter: AccountListFilter, page: PageRequest<TreePageKey>): Promise<AccountRow[]> {
    const parameters: unknown[] = [rootIds];
    const conditions = ['a.path && $1::uuid[]', ...filterConditions(filter, parameters)];
    const keyset = keysetSql(page, { columns: ['a.depth', 'a.name', 'a.id'], types: ['int', 'text', 'uuid'], order: 'ASC', firstParameter: parameters.length + 1 });
    return accountRows(
      this.db,
      `SELECT ${columns('a.')} FROM hierarchy.accounts a WHERE ${conditions.join(' AND ')} AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
      [...parameters, ...keyset.parameters],
    );
  }

  async countSubtree(rootIds: readonly string[], filter: AccountListFilter): Promise<number> {
    const parameters: unknown[] = [rootIds];
    const conditions = ['a.path && $1::uuid[]', ...filterConditions(filter, parameters)];
    const [row] = await queryRows<{ count: number }>(this.db, `SELECT count(*)::int AS count FROM hierarchy.accounts a WHERE ${conditions.join(' AND ')}`, parameters);
    return row.count;
  }

  /** The same page of the children of each parent, in one statement (up to size + 1 rows per parent, by name then id). */
  findChildPages(parentIds: readonly string[], filter: AccountListFilter, page: PageRequest<ChildPageKey>): Promise<AccountRow[]> {
    const parameters: unknown[] = [parentIds];
    const conditions = filterConditions(filter, parameters);
    const keyset = keysetSql(page, { columns: ['a.name', 'a.id'], types: ['text', 'uuid'], order: 'ASC', firstParameter: parameters.length + 1 });
    return accountRows(
      this.db,
      pagesPerParentSql({ select: columns('a.'), from: 'hierarchy.accounts a', conditions: ['a.parent_id = parent.id', ...conditions], keyset }),
      [...parameters, ...keyset.parameters],
    );
  }

  /**
   * The same page of the descendants of each account, in one statement (up to size + 1 rows per
   * account, parents before children); maxLevels counts levels below the account. A row carries the
   * account it was read for (`pageOwnerId`): one account may be a descendant of another in the batch.
   */
  findDescendantPages(accountIds: readonly string[], maxLevels: number | null, page: PageRequest<TreePageKey>): Promise<(AccountRow & { pageOwnerId: string })[]> {
    const parameters: unknown[] = [accountIds, maxLevels];
    const keyset = keysetSql(page, { columns: ['a.depth', 'a.name', 'a.id'], types: ['int', 'text', 'uuid'], order: 'ASC', firstParameter: parameters.length + 1 });
    return accountRows(
      this.db,
      pagesPerParentSql({ select: `${columns('a.')}, parent.id AS "pageOwnerId"`, from: 'hierarchy.accounts a', conditions: descendantConditions, keyset }),
      [...parameters, ...keyset.parameters],
    );
  }

  countDescendants(accountIds: readonly string[], maxLevels: number | null): Promise<{ parentId: string; count: number }[]> {
    return queryRows(
      this.db,
      `SELECT parent.id AS "parentId", count(*)::int AS count FROM unnest($1::uuid[]) AS parent(id)
         JOIN hierarchy.accounts a ON ${descendantConditions.join(' AND ')} GROUP BY parent.id`,
      [accountIds, maxLevels],
    );
  }

  /** How many children of each parent match filter. */
  countChildren(parentIds: readonly string[], filter: AccountListFilter): Promise<{ parentId: string; count: number }[]> {
    const parameters: unknown[] = [parentIds];
    const conditions = ['a.parent_id = ANY($1::uuid[])', ...filterConditions(filter, parameters)];
    return queryRows(this.db, `SELECT a.parent_id AS "parentId", count(*)::int AS count FROM hierarchy.accounts a WHERE ${conditions.join(' AND ')} GROUP BY a.parent_id`, parameters);
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
    const rows = await accountRows(this.tx, `SELECT ${COLUMNS} FROM hierarchy.accounts WHERE id = $1 FOR UPDATE`, [id]);
    return rows[0] ?? null;
  }

  async insertChild(parent: AccountRow, name: string): Promise<AccountRow> {
    const rows = await accountRows(
      this.tx,
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
    const rows = await accountRows(
      this.tx,
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

/** What an AccountConnection resolves from: totalCount is counted only when selected. */
export type AccountConnectionValue = CountedConnection<AccountRow>;
