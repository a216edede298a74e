import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A customer may ask the operator to close its tree (SPEC O3, H6; issue 15 item 7). */
export class ClosureRequests1764660000100 implements MigrationInterface {
  name = 'ClosureRequests1764660000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hierarchy.accounts ADD COLUMN closure_requested_at timestamptz, ADD COLUMN closure_request_reason text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE hierarchy.accounts DROP COLUMN closure_request_reason, DROP COLUMN closure_requested_at`);
  }
}
