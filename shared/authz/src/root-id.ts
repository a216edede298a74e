/**
 * Every table of a tree's data carries the tree's root account id (`root_account_id`), the distribution column
 * it would have on a sharded PostgreSQL (Citus) — see README "Scaling". An account's root never
 * changes: accounts move only within their tree (SPEC H7).
 *
 * How a table's `root_account_id` is filled on insert:
 * - `path`: a generated column, the first id of an ancestor path the row already holds;
 * - `account` (default column `account_id`): from `hierarchy.accounts.root_id` of that account;
 * - `parent`: from the `root_account_id` of the row of another tenant table the column points at (by its `id`).
 * Account and parent fills are a `BEFORE INSERT` trigger that runs only when the INSERT leaves
 * `root_account_id` out: it costs about 13 µs a row (10,000 messages: ~300 ms instead of ~170 ms), so bulk
 * inserts pass the value themselves (`rootAccountIdOf`) and pay nothing. The column stays nullable: rows of
 * accounts unknown to the hierarchy (none in production) keep inserting. On a sharded cluster the
 * fills go (a generated or trigger-filled column cannot route an INSERT) and every INSERT passes it.
 */
export type RootIdSource = { path: string } | { account: string } | { parent: string; column: string };

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

function identifier(name: string): string {
  if (!IDENTIFIER.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return name;
}

/** The migration statements that add, backfill and fill `root_account_id` on the given tables of one schema. */
export function rootIdMigrationSql(schema: string, tables: Record<string, RootIdSource>): string[] {
  const s = identifier(schema);
  const statements: string[] = [];
  for (const [name, source] of Object.entries(tables)) {
    const table = `${s}.${identifier(name)}`;
    if ('path' in source) {
      statements.push(`ALTER TABLE ${table} ADD COLUMN root_account_id uuid GENERATED ALWAYS AS (${identifier(source.path)}[1]) STORED`);
      continue;
    }
    const column = identifier('account' in source ? source.account : source.column);
    const from = 'account' in source ? 'hierarchy.accounts' : `${s}.${identifier(source.parent)}`;
    const sourceRoot = 'account' in source ? 'root_id' : 'root_account_id';
    statements.push(
      `ALTER TABLE ${table} ADD COLUMN root_account_id uuid`,
      `UPDATE ${table} t SET root_account_id = f.${sourceRoot} FROM ${from} f WHERE f.id = t.${column}`,
      `CREATE FUNCTION ${s}.${identifier(name)}_root_account_id() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         NEW.root_account_id := (SELECT ${sourceRoot} FROM ${from} WHERE id = NEW.${column});
         RETURN NEW;
       END $$`,
      `CREATE TRIGGER ${identifier(name)}_root_account_id BEFORE INSERT ON ${table} FOR EACH ROW WHEN (NEW.root_account_id IS NULL) EXECUTE FUNCTION ${s}.${identifier(name)}_root_account_id()`,
    );
  }
  return statements;
}

/** The reverse of rootIdMigrationSql. */
export function dropRootIdSql(schema: string, tables: Record<string, RootIdSource>): string[] {
  const s = identifier(schema);
  return Object.entries(tables)
    .reverse()
    .flatMap(([name, source]) => [`ALTER TABLE ${s}.${identifier(name)} DROP COLUMN root_account_id CASCADE`, ...('path' in source ? [] : [`DROP FUNCTION ${s}.${identifier(name)}_root_account_id()`])]);
}

/** SQL for the root account id of the account given by a parameter or expression, for an INSERT to pass it (once per statement when `account` is a parameter). */
export const rootAccountIdOf = (account: string): string => `(SELECT root_id FROM hierarchy.accounts WHERE id = ${account})`;

/** A TypeORM migration (its class) that runs rootIdMigrationSql up and dropRootIdSql down. */
export function rootIdMigration(name: string, schema: string, tables: Record<string, RootIdSource>) {
  return class {
    name = name;

    async up(queryRunner: { query(sql: string): Promise<unknown> }): Promise<void> {
      for (const statement of rootIdMigrationSql(schema, tables)) await queryRunner.query(statement);
    }

    async down(queryRunner: { query(sql: string): Promise<unknown> }): Promise<void> {
      for (const statement of dropRootIdSql(schema, tables)) await queryRunner.query(statement);
    }
  };
}
