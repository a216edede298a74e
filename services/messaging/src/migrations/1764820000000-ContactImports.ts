import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Contact imports beyond a GraphQL body (issue 14): a job is started by a mutation, its CSV is
 * uploaded (streamed) to a signed link, and its progress is read while it runs. The whole file is
 * imported in one transaction: a failed import writes no contact.
 */
export class ContactImports1764820000000 implements MigrationInterface {
  name = 'ContactImports1764820000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE messaging.contact_imports (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        group_id uuid,
        default_country text NOT NULL,
        status text NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'PROCESSING', 'COMPLETED', 'FAILED')),
        processed int NOT NULL DEFAULT 0,
        imported int NOT NULL DEFAULT 0,
        merged int NOT NULL DEFAULT 0,
        rejected int NOT NULL DEFAULT 0,
        -- the first rejected lines with their reason (never the number)
        rejections jsonb NOT NULL DEFAULT '[]',
        error_code text,
        error_message text,
        created_at timestamptz NOT NULL DEFAULT now(),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX contact_imports_account ON messaging.contact_imports (account_id, created_at DESC, id DESC)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE messaging.contact_imports`);
  }
}
