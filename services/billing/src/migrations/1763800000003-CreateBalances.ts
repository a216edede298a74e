import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateBalances1763800000003 implements MigrationInterface {
  name = 'CreateBalances1763800000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE billing.balances (
        -- an account that pays for itself (and for descendants without a balance of their own)
        account_id uuid PRIMARY KEY,
        units bigint NOT NULL DEFAULT 0 CHECK (units >= 0),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE billing.balances`);
  }
}
