import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * SPEC I6 (seed 004): the monthly renewal of a user's credit is an amount of its own, set as the
 * credit limit on the 1st of each month, not a flag. A cleared limit keeps its row (credit_limit
 * NULL), so what the user spent this period still counts when a limit is set again.
 */
export class UserLimitRenewalAmount1764800000000 implements MigrationInterface {
  name = 'UserLimitRenewalAmount1764800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE billing.user_limits
        ADD COLUMN renewal_amount bigint CHECK (renewal_amount >= 0),
        ALTER COLUMN credit_limit DROP NOT NULL`);
    await queryRunner.query(`UPDATE billing.user_limits SET renewal_amount = credit_limit WHERE monthly_renewal`);
    await queryRunner.query(`ALTER TABLE billing.user_limits DROP COLUMN monthly_renewal`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE billing.user_limits ADD COLUMN monthly_renewal boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`UPDATE billing.user_limits SET monthly_renewal = renewal_amount IS NOT NULL`);
    await queryRunner.query(`DELETE FROM billing.user_limits WHERE credit_limit IS NULL`);
    await queryRunner.query(`ALTER TABLE billing.user_limits DROP COLUMN renewal_amount, ALTER COLUMN credit_limit SET NOT NULL`);
  }
}
