import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * messaging.refuse_send(reason, detail) raises (SQLSTATE P0001, hint `messaging.refuse_send`): a
 * send's one statement (issue 19, sending/store.ts sendInOneStatement) commits by itself, so what
 * refuses it (a limit, a moved chain, a replayed key) must abort the statement, which then writes
 * nothing. VOLATILE, so that it is called only where the statement's CASE reaches it.
 */
export class RefuseSend1765040000000 implements MigrationInterface {
  name = 'RefuseSend1765040000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION messaging.refuse_send(reason text, detail text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'P0001', MESSAGE = reason, DETAIL = coalesce(detail, ''), HINT = 'messaging.refuse_send';
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION messaging.refuse_send(text, text)`);
  }
}
