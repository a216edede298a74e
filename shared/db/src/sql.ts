import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * Anything that runs SQL: a TypeORM DataSource, EntityManager or QueryRunner, or a transaction
 * handed out by `inTransaction`. The one name for it in every package.
 */
export interface Sql {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query(sql: string, parameters?: unknown[]): Promise<any>;
}

const preparedStatements = new Map<string, string>();

/**
 * `sql` to be run as a named prepared statement of its connection: node-postgres prepares a query
 * config `{ name, text }` once per connection, so PostgreSQL parses it once and, after five executions,
 * may keep one generic plan instead of planning every call (planning was about half the time of the
 * send path's largest statements). Only for statements whose text is fixed (values as parameters):
 * each distinct text is kept by every connection. TypeORM hands its `query` argument to node-postgres
 * untouched, so the config travels typed as the string it stands for.
 */
export function prepared(sql: string): string {
  let config = preparedStatements.get(sql);
  if (!config) {
    config = { name: `p_${createHash('sha256').update(sql).digest('hex').slice(0, 24)}`, text: sql } as unknown as string;
    preparedStatements.set(sql, config);
  }
  return config;
}

/** The SQL text of a statement given to `Sql.query`: a text, or prepared()'s config. */
export const statementText = (statement: string | { text: string }): string => (typeof statement === 'string' ? statement : statement.text);

/**
 * The rows of a statement. TypeORM answers UPDATE and DELETE (even with RETURNING) with
 * `[rows, affectedCount]` instead of the rows; this gives the rows for every kind of statement.
 */
export async function queryRows<T>(db: Sql, sql: string, parameters?: unknown[]): Promise<T[]> {
  const result = await db.query(sql, parameters);
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') {
    return result[0] as T[];
  }
  return result as T[];
}

/** The first row of a statement, or null. */
export async function queryOne<T>(db: Sql, sql: string, parameters?: unknown[]): Promise<T | null> {
  const rows = await queryRows<T>(db, sql, parameters);
  return rows[0] ?? null;
}

/** Runs `work` in one READ COMMITTED transaction: a thrown error writes nothing. */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: Sql) => Promise<T>): Promise<T> {
  return dataSource.transaction((manager) => work(manager));
}

/** For a DataLoader: the row of each key (null when absent), in the keys' order. */
export function byKey<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): (T | null)[] {
  const found = new Map<string, T>();
  for (const row of rows) found.set(keyOf(row), row);
  return keys.map((key) => found.get(key) ?? null);
}

/** For a DataLoader: the rows of each key (empty when none), in the keys' order. */
export function groupBy<T>(keys: readonly string[], rows: readonly T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((key) => [key, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((key) => groups.get(key) ?? []);
}
