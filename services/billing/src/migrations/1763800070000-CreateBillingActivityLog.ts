import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** Billing's activity log (SPEC I9), written by each public billing mutation in its own transaction (src/activity.ts). */
export class CreateBillingActivityLog1763800070000 implements MigrationInterface {
  name = 'CreateBillingActivityLog1763800070000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogMigrationSql('billing')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogDropSql('billing')) await queryRunner.query(sql);
  }
}
