import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The operator's review of requested dedicated numbers, short codes and alphanumeric tags (SPEC O3, M7). */
export class SenderIdReviews1764660000000 implements MigrationInterface {
  name = 'SenderIdReviews1764660000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messaging.sender_ids ADD COLUMN rejection_reason text, ADD COLUMN reviewed_at timestamptz`);
    await queryRunner.query(`CREATE INDEX sender_ids_requested ON messaging.sender_ids (created_at, id) WHERE status = 'REQUESTED'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messaging.sender_ids_requested`);
    await queryRunner.query(`ALTER TABLE messaging.sender_ids DROP COLUMN reviewed_at, DROP COLUMN rejection_reason`);
  }
}
