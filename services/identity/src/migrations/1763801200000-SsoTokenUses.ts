import type { MigrationInterface, QueryRunner } from 'typeorm';

/** ID tokens already used to sign in (by hash), kept until they expire: a token signs in once. */
export class SsoTokenUses1763801200000 implements MigrationInterface {
  name = 'SsoTokenUses1763801200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE identity.sso_token_uses (
        token_hash text PRIMARY KEY,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX sso_token_uses_expiry ON identity.sso_token_uses (expires_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE identity.sso_token_uses`);
  }
}
