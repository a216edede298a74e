import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The W3C traceparent of the send that queued a message (issue 16), so that its delivery continues
 * the send's trace; null when tracing was off.
 */
export class MessageTraceparent1764916000000 implements MigrationInterface {
  name = 'MessageTraceparent1764916000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messaging.messages ADD COLUMN traceparent text`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messaging.messages DROP COLUMN traceparent`);
  }
}
