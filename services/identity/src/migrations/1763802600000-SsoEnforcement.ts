import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SSO enforcement (a tree may refuse password sign-in for its domains) and server-issued OIDC
 * state + nonce (beginSsoLogin stores them; loginWithSso uses them once).
 */
export class SsoEnforcement1763802600000 implements MigrationInterface {
  name = 'SsoEnforcement1763802600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE identity.sso_configurations ADD COLUMN require_sso boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`
      CREATE TABLE identity.sso_login_states (
        -- SHA-256 of the state handed to the client; the state itself is never stored
        state_hash text PRIMARY KEY,
        nonce text NOT NULL,
        configuration_id uuid NOT NULL REFERENCES identity.sso_configurations(id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sso_login_states_expiry ON identity.sso_login_states (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE identity.sso_login_states`);
    await queryRunner.query(`ALTER TABLE identity.sso_configurations DROP COLUMN require_sso`);
  }
}
