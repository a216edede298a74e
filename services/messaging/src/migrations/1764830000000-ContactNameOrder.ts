import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Contacts listed by name (issue 14): the NAME order's key, so that its pages are index reads. */
export class ContactNameOrder1764830000000 implements MigrationInterface {
  name = 'ContactNameOrder1764830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE INDEX contacts_account_name ON messaging.contacts (account_id, (lower(coalesce(last_name, '') || ' ' || coalesce(first_name, ''))), id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP INDEX messaging.contacts_account_name`);
  }
}
