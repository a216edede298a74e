import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxDropSql, outboxMigrationSql } from '@platform/events';

/** The hierarchy's event outbox (SPEC M10): account.created / account.closed / account.moved, written by AccountService in each change's transaction. */
export class CreateHierarchyOutbox1763800090100 implements MigrationInterface {
  name = 'CreateHierarchyOutbox1763800090100';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of outboxMigrationSql('hierarchy')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of outboxDropSql('hierarchy')) await queryRunner.query(sql);
  }
}
