import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** messaging.operator_log: every operator action on this subgraph's data, hash-chained per customer tree, read by operators only (SPEC O4). */
export class CreateMessagingOperatorLog1764650000000 implements MigrationInterface {
  name = 'CreateMessagingOperatorLog1764650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogMigrationSql('messaging', 'operator_log')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogDropSql('messaging', 'operator_log')) await queryRunner.query(sql);
  }
}
