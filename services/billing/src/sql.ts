import type { Sql as DbSql } from '@platform/db';
import type { DataSource, QueryRunner } from 'typeorm';

/** Raw SQL with rows back for every statement kind (TypeORM returns [rows, count] for UPDATE). */
export interface Sql {
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

const wrap = (runner: QueryRunner): Sql => ({
  rows: async (sql, params) => (await runner.query(sql, params, true)).records,
});

/** Runs `work` in one READ COMMITTED transaction on its own connection: a thrown error writes nothing. */
export async function inTransaction<T>(dataSource: DataSource, work: (tx: Sql) => Promise<T>): Promise<T> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.startTransaction();
    try {
      const result = await work(wrap(runner));
      await runner.commitTransaction();
      return result;
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => {});
      throw error;
    }
  } finally {
    await runner.release();
  }
}

export function sqlOf(dataSource: DataSource): Sql {
  return { rows: (sql, params) => dataSource.query(sql, params) };
}

/** The `query` shape shared modules (@platform/authz, @platform/audit) take, over the same connection. */
export function queryableOf(db: Sql): DbSql {
  return { query: (sql, params) => db.rows(sql, params) };
}
