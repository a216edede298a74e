import { Pool } from 'pg';
import { AppError } from '@platform/errors';
import { keysetSql, pageRequest, toConnection, type PageArguments } from '../connection';
import { encodeCursor } from '../cursor';
import { createTestDatabase, type TestDatabase } from '../test-database';

interface Row {
  id: string;
  createdAt: string;
}

const BOUNDS = { defaultSize: 20, maxSize: 100, keyShape: ['string', 'string'] } as const;

describe('keyset pagination over a real table with tied timestamps', () => {
  let database: TestDatabase;
  let pool: Pool;
  let all: Row[];

  beforeAll(async () => {
    database = await createTestDatabase(process.env.DATABASE_URL!);
    pool = new Pool({ connectionString: database.url, max: 2 });
    await pool.query(`CREATE TABLE items (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), created_at timestamptz NOT NULL)`);
    // 250 rows on 5 instants a microsecond apart: ties everywhere, as in a bulk import or a bulk send.
    await pool.query(`INSERT INTO items (created_at) SELECT '2026-12-01 10:00:00.000001+00'::timestamptz + (i % 5) * interval '1 microsecond' FROM generate_series(1, 250) AS i`);
    all = (await pool.query<Row>(`SELECT id, created_at::text AS "createdAt" FROM items ORDER BY created_at DESC, id DESC`)).rows;
  });
  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  async function page(args: PageArguments) {
    const request = pageRequest(args, BOUNDS);
    const keyset = keysetSql(request, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 1 });
    const rows = (await pool.query<Row>(`SELECT id, created_at::text AS "createdAt" FROM items WHERE ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`, keyset.parameters)).rows;
    return toConnection(rows, request, (row) => [row.createdAt, row.id]);
  }

  it.each([1, 7, 100])('forward with first: %i returns every row exactly once, in order', async (size) => {
    // Act
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 300; pages++) {
      const connection = await page({ first: size, after });
      seen.push(...connection.nodes.map((row) => row.id));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }

    // Assert
    expect(seen).toEqual(all.map((row) => row.id));
  });

  it.each([1, 7, 100])('backward with last: %i from the end returns every row exactly once, in order', async (size) => {
    // Act
    const pages: string[][] = [];
    let before: string | null = null;
    for (let count = 0; count < 300; count++) {
      const connection = await page({ last: size, before });
      pages.unshift(connection.nodes.map((row) => row.id));
      if (!connection.pageInfo.hasPreviousPage) break;
      before = connection.pageInfo.startCursor;
    }

    // Assert
    expect(pages.flat()).toEqual(all.map((row) => row.id));
  });

  it('a row inserted while paging does not make the rest of the pages repeat or skip a row', async () => {
    // Arrange
    const first = await page({ first: 50 });

    // Act: a newer row lands before the cursor, then the client goes on
    await pool.query(`INSERT INTO items (created_at) VALUES (now())`);
    const rest = await page({ first: 100, after: first.pageInfo.endCursor });

    // Assert
    expect(rest.nodes.map((row) => row.id)).toEqual(all.slice(50, 150).map((row) => row.id));
  });

  it('a list sorted several ways tags its cursors with the order: the same order reads them, another refuses them', () => {
    // Arrange
    const byName = pageRequest({ first: 1 }, { ...BOUNDS, order: 'NAME' });
    const cursor = toConnection([{ id: 'b', createdAt: 'x' }], byName, (row) => [row.createdAt, row.id]).edges[0].cursor;

    // Act
    const again = pageRequest({ first: 1, after: cursor }, { ...BOUNDS, order: 'NAME' });
    let refusal: unknown = null;
    try {
      pageRequest({ first: 1, after: cursor }, { ...BOUNDS, order: 'CREATED_AT' });
    } catch (error) {
      refusal = error;
    }

    // Assert
    expect(again.cursor).toEqual(['x', 'b']);
    expect((refusal as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });

  it.each([
    [{ first: 0 }, 'first'],
    [{ first: 101 }, 'first'],
    [{ last: -1 }, 'last'],
    [{ first: 5, last: 5 }, 'first'],
    [{ after: 'garbage' }, 'after'],
    [{ before: encodeCursor([1, 2]) }, 'before'],
  ])('%j is refused as BAD_USER_INPUT naming %s', (args, field) => {
    // Act
    let refusal: unknown = null;
    try {
      pageRequest(args, BOUNDS);
    } catch (error) {
      refusal = error;
    }

    // Assert
    expect((refusal as AppError).extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });
});
