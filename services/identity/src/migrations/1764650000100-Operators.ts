import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The operator realm (SPEC O1): the platform's own staff, never members of a customer tree, with
 * short sessions of their own and one-time setup links (the first operator is created by
 * `npm run operator:create`, which prints one).
 */
export class Operators1764650000100 implements MigrationInterface {
  name = 'Operators1764650000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE identity.operators (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL UNIQUE CHECK (email = lower(email)),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        role text NOT NULL CHECK (role IN ('OPERATOR_ADMIN', 'OPERATOR_SUPPORT', 'OPERATOR_FINANCE')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
        -- null until the operator completes the setup link
        password_hash text,
        created_by uuid REFERENCES identity.operators (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE identity.operator_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        operator_id uuid NOT NULL REFERENCES identity.operators (id),
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX operator_sessions_operator ON identity.operator_sessions (operator_id)`);
    await queryRunner.query(`
      CREATE TABLE identity.operator_setup_tokens (
        token_hash text PRIMARY KEY,
        operator_id uuid NOT NULL REFERENCES identity.operators (id),
        expires_at timestamptz NOT NULL,
        used_at timestamptz
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['operator_setup_tokens', 'operator_sessions', 'operators']) await queryRunner.query(`DROP TABLE identity.${table}`);
  }
}
