import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** hierarchy.operator_log: every operator action on this subgraph's data, hash-chained per customer tree, read by operators only (SPEC O4). */
export class CreateHierarchyOperatorLog1764650000000 implements MigrationInterface {
  name = 'CreateHierarchyOperatorLog1764650000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogMigrationSql('hierarchy', 'operator_log')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogDropSql('hierarchy', 'operator_log')) await queryRunner.query(sql);
  }
}
