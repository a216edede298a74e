import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateIdentity1763800000001 implements MigrationInterface {
  name = 'CreateIdentity1763800000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE identity.users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (email = lower(email) AND char_length(email) <= 254),
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        password_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE UNIQUE INDEX users_email ON identity.users (email)`);
    await queryRunner.query(`
      CREATE TABLE identity.memberships (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES identity.users(id),
        -- an account of hierarchy.accounts (another subgraph's schema: no foreign key)
        account_id uuid NOT NULL,
        role text NOT NULL CHECK (role IN ('ADMIN', 'ADVANCED_USER', 'BASIC_USER')),
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'INACTIVE')),
        granted_permissions text[] NOT NULL DEFAULT '{}',
        revoked_permissions text[] NOT NULL DEFAULT '{}',
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (user_id, account_id)
      )`);
    await queryRunner.query(`CREATE INDEX memberships_account ON identity.memberships (account_id)`);
    await queryRunner.query(`
      CREATE TABLE identity.sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES identity.users(id),
        -- SHA-256 of the opaque token; the token itself is never stored
        token_hash text NOT NULL UNIQUE,
        acting_account_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX sessions_user ON identity.sessions (user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE identity.sessions`);
    await queryRunner.query(`DROP TABLE identity.memberships`);
    await queryRunner.query(`DROP TABLE identity.users`);
  }
}
