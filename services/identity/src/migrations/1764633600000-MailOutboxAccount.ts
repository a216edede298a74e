import type { MigrationInterface, QueryRunner } from 'typeorm';

/** identity.mail_outbox gets the account column of the shared mail outbox (@platform/mail), as messaging's has. */
export class MailOutboxAccount1764633600000 implements MigrationInterface {
  name = 'MailOutboxAccount1764633600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE identity.mail_outbox ADD COLUMN account_id uuid`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE identity.mail_outbox DROP COLUMN account_id`);
  }
}
