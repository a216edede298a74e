import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** The hierarchy's activity log (SPEC I9), written by AccountService in each change's transaction. */
export class CreateHierarchyActivityLog1763800030100 implements MigrationInterface {
  name = 'CreateHierarchyActivityLog1763800030100';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogMigrationSql('hierarchy')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogDropSql('hierarchy')) await queryRunner.query(sql);
  }
}
