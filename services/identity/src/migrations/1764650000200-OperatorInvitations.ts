import type { MigrationInterface, QueryRunner } from 'typeorm';

/** An invitation is sent by a customer's user, or by an operator inviting a new customer's first admin (SPEC O2). */
export class OperatorInvitations1764650000200 implements MigrationInterface {
  name = 'OperatorInvitations1764650000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE identity.invitations ALTER COLUMN invited_by DROP NOT NULL`);
    await queryRunner.query(`ALTER TABLE identity.invitations ADD COLUMN invited_by_operator uuid REFERENCES identity.operators (id)`);
    await queryRunner.query(`ALTER TABLE identity.invitations ADD CONSTRAINT invitations_one_inviter CHECK ((invited_by IS NULL) <> (invited_by_operator IS NULL))`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE identity.invitations DROP CONSTRAINT invitations_one_inviter`);
    await queryRunner.query(`ALTER TABLE identity.invitations DROP COLUMN invited_by_operator`);
    await queryRunner.query(`ALTER TABLE identity.invitations ALTER COLUMN invited_by SET NOT NULL`);
  }
}
