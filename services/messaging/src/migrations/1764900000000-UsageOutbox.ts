import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Usage changes of sends wait here until the aggregator (src/reporting/usage-outbox.ts) adds them
 * to the rollups in its own transaction (issue 19): a send appends a row instead of updating the
 * rollup rows of every ancestor, which every send of a tree would otherwise queue on.
 */
export class UsageOutbox1764900000000 implements MigrationInterface {
  name = 'UsageOutbox1764900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE messaging.usage_outbox (
        id bigserial PRIMARY KEY,
        root_account_id uuid NOT NULL,
        account_id uuid NOT NULL,
        user_id uuid,
        sender_id uuid,
        day date NOT NULL,
        messages bigint NOT NULL,
        parts bigint NOT NULL,
        delivered bigint NOT NULL,
        failed bigint NOT NULL,
        cost_units bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE messaging.usage_outbox`);
  }
}
