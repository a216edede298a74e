import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The chain of an account under its tree's move lock, in one statement (issue 19): messaging's
 * send and billing's reservation call it (shared/authz, lockChainForSpending). A function because
 * one plain statement cannot do it: its snapshot is taken before it waits for the lock, so it would
 * read the chain a move committed meanwhile as it was before. A VOLATILE function's statements
 * each take a fresh snapshot, so the chain is read after the lock, as two statements did. The rows
 * are those of loadAccountChains (access-control.ts): the account's own row (its path as text) and
 * the accounts on its path that are not ACTIVE.
 */
export class LockChainForSpending1765000000000 implements MigrationInterface {
  name = 'LockChainForSpending1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE FUNCTION hierarchy.lock_chain_for_spending(account uuid)
        RETURNS TABLE (id uuid, root_id uuid, parent_id uuid, path text, depth smallint, status text)
        LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        -- Shared: sends never wait for each other; a move (messaging.move_account_usage) takes it exclusively.
        PERFORM pg_advisory_xact_lock_shared(hashtextextended('usage:' || a.root_id::text, 0)) FROM hierarchy.accounts a WHERE a.id = account;
        IF NOT FOUND THEN
          RETURN;
        END IF;
        RETURN QUERY
          WITH target AS (SELECT a.id, a.root_id, a.parent_id, a.path, a.depth, a.status FROM hierarchy.accounts a WHERE a.id = account)
          SELECT t.id, t.root_id, t.parent_id, array_to_string(t.path, ','), t.depth, t.status FROM target t
          UNION ALL
          SELECT a.id, NULL, NULL, NULL, a.depth, a.status FROM hierarchy.accounts a
           WHERE a.status <> 'ACTIVE' AND a.id IN (SELECT unnest(t.path) FROM target t);
      END $$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION hierarchy.lock_chain_for_spending(uuid)`);
  }
}
