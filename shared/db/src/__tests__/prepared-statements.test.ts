import type { DataSource } from 'typeorm';
import { createDataSource, QueryCounter } from '../data-source';
import { prepared, queryRows } from '../sql';
import { createTestDatabase, type TestDatabase } from '../test-database';

describe('prepared statements (the send path\'s hot statements)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;
  const counter = new QueryCounter();
  const STATEMENT = 'SELECT $1::int + 1 AS next';

  beforeAll(async () => {
    database = await createTestDatabase(process.env.DATABASE_URL!);
    // One connection: the prepared statement and the catalogue read below share it.
    dataSource = createDataSource({ url: database.url, schema: 'public', poolSize: 1, queryCounter: counter });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('runs a statement as a named prepared statement of its connection, answered and counted as before', async () => {
    // Act
    counter.reset();
    const answers = [];
    for (let value = 0; value < 7; value++) answers.push(await queryRows<{ next: number }>(dataSource, prepared(STATEMENT), [value]));
    const statements = await queryRows<{ name: string; statement: string; calls: number }>(
      dataSource,
      `SELECT name, statement, (generic_plans + custom_plans)::int AS calls FROM pg_prepared_statements WHERE statement = $1`,
      [STATEMENT],
    );

    // Assert
    expect(answers.map(([row]) => row.next)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(statements).toEqual([{ name: expect.stringMatching(/^p_[0-9a-f]{24}$/), statement: STATEMENT, calls: 7 }]);
    expect(counter.statements.slice(0, 7)).toEqual(Array(7).fill(STATEMENT));
    expect(prepared(STATEMENT)).toBe(prepared(STATEMENT));
  });
});
