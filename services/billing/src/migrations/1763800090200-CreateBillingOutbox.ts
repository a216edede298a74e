import type { MigrationInterface, QueryRunner } from 'typeorm';
import { outboxDropSql, outboxMigrationSql } from '@platform/events';

/** Billing's event outbox (SPEC M10): billing.low_balance, published in the capture's transaction and delivered by the webhook dispatcher. */
export class CreateBillingOutbox1763800090200 implements MigrationInterface {
  name = 'CreateBillingOutbox1763800090200';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of outboxMigrationSql('billing')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of outboxDropSql('billing')) await queryRunner.query(sql);
  }
}
