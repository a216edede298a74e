import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMessages1763800000002 implements MigrationInterface {
  name = 'CreateMessages1763800000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE messaging.messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- the sending entity (hierarchy.accounts; no cross-schema foreign key)
        account_id uuid NOT NULL,
        user_id uuid,
        recipient text NOT NULL,
        body text NOT NULL,
        parts smallint NOT NULL DEFAULT 1 CHECK (parts > 0),
        status text NOT NULL DEFAULT 'QUEUED'
          CHECK (status IN ('SCHEDULED', 'QUEUED', 'SENT', 'DELIVERED', 'FAILED', 'EXPIRED', 'CANCELLED')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX messages_account_user ON messaging.messages (account_id, user_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE messaging.messages`);
  }
}
