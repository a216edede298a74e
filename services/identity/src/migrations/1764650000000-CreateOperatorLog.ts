import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** identity.operator_log: every operator action on this subgraph's data, hash-chained per customer tree, read by operators only (SPEC O4). */
export class CreateIdentityOperatorLog1764650000000 implements MigrationInterface {
  name = 'CreateIdentityOperatorLog1764650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogMigrationSql('identity', 'operator_log')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogDropSql('identity', 'operator_log')) await queryRunner.query(sql);
  }
}
