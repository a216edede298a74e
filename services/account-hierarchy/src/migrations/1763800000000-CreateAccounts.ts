import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAccounts1763800000000 implements MigrationInterface {
  name = 'CreateAccounts1763800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE hierarchy.accounts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        parent_id uuid REFERENCES hierarchy.accounts(id),
        root_id uuid NOT NULL,
        -- ancestor ids from the root down to and including this account (materialised path)
        path uuid[] NOT NULL,
        depth smallint NOT NULL CHECK (depth BETWEEN 0 AND 5),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'SUSPENDED', 'CLOSED')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz,
        CHECK (array_length(path, 1) = depth + 1),
        CHECK (path[depth + 1] = id),
        CHECK ((depth = 0) = (parent_id IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX accounts_path_gin ON hierarchy.accounts USING gin (path)`);
    await queryRunner.query(`CREATE INDEX accounts_parent_id ON hierarchy.accounts (parent_id, name)`);
    await queryRunner.query(`CREATE INDEX accounts_root_depth ON hierarchy.accounts (root_id, depth)`);
    await queryRunner.query(`
      CREATE TABLE hierarchy.account_settings (
        account_id uuid PRIMARY KEY REFERENCES hierarchy.accounts(id),
        -- only the values this account sets itself; absent keys are inherited
        overrides jsonb NOT NULL DEFAULT '{}'::jsonb,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE hierarchy.account_settings`);
    await queryRunner.query(`DROP TABLE hierarchy.accounts`);
  }
}
