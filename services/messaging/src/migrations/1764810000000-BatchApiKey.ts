import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which API key a batch was sent with (Message.apiKey): partners' sends say which key or app sent them. */
export class BatchApiKey1764810000000 implements MigrationInterface {
  name = 'BatchApiKey1764810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messaging.send_batches ADD COLUMN api_key_id uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE messaging.send_batches DROP COLUMN api_key_id`);
  }
}
