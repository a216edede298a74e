import type { MigrationInterface, QueryRunner } from 'typeorm';

const MEASURES = `
        messages bigint NOT NULL DEFAULT 0,
        parts bigint NOT NULL DEFAULT 0,
        delivered bigint NOT NULL DEFAULT 0,
        failed bigint NOT NULL DEFAULT 0,
        cost_units bigint NOT NULL DEFAULT 0`;

/**
 * Usage rollups (SPEC R1, R3), maintained at write time by applyUsage (src/reporting/usage.ts).
 * Two narrow tables rather than one wide one, chosen for read speed (see src/reporting/README.md):
 * - usage_subtree_daily: per (ancestor-or-self, child on the path, day). Every message touches
 *   ≤ 6 rows; a subtree's totals / children / days over 30 days read ~30 × (children + 1) rows.
 * - usage_account_daily: per (sending account, day, user, sender id), one row per combination, with
 *   the account's path copied in so a subtree is `path[depth + 1] = ancestor` (one expression index
 *   per depth). Serves the user and sender-id breakdowns and basic users' own data.
 */
export class CreateUsageRollups1763800900000 implements MigrationInterface {
  name = 'CreateUsageRollups1763800900000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // The columns the rollups are computed from (the messaging core adds them too; harmless twice).
    await queryRunner.query(`
      ALTER TABLE messaging.messages
        ADD COLUMN IF NOT EXISTS sender_id uuid,
        ADD COLUMN IF NOT EXISTS cost_units int NOT NULL DEFAULT 1,
        ADD COLUMN IF NOT EXISTS usage_day date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date`);
    await queryRunner.query(`
      CREATE TABLE messaging.usage_subtree_daily (
        ancestor_id uuid NOT NULL,
        -- the child of ancestor_id on the path to the sending account; ancestor_id itself for its own messages
        child_id uuid NOT NULL,
        day date NOT NULL,${MEASURES},
        PRIMARY KEY (ancestor_id, day, child_id)
      ) WITH (fillfactor = 80)`);
    await queryRunner.query(`
      CREATE TABLE messaging.usage_account_daily (
        account_id uuid NOT NULL,
        -- the sending account's path (root … self), moved with it by move_account_usage
        path uuid[] NOT NULL,
        day date NOT NULL,
        user_id uuid,
        sender_id uuid,${MEASURES},
        CONSTRAINT usage_account_daily_key UNIQUE NULLS NOT DISTINCT (account_id, day, user_id, sender_id)
      ) WITH (fillfactor = 80)`);
    for (let position = 1; position <= 6; position++) {
      await queryRunner.query(
        `CREATE INDEX usage_account_daily_level${position - 1} ON messaging.usage_account_daily ((path[${position}]), day) WHERE path[${position}] IS NOT NULL`,
      );
    }
    await queryRunner.query(`CREATE INDEX usage_account_daily_user ON messaging.usage_account_daily (user_id, day)`);

    // Moving an account (SPEC H7) moves its usage history to the new ancestors. Called by the
    // hierarchy's moveSubtree in the move's transaction. The exclusive advisory lock on the tree waits
    // for sends that already read the old chain (applyUsage holds it shared) and holds back new ones.
    await queryRunner.query(`
      CREATE FUNCTION messaging.move_account_usage(moved_id uuid, old_path uuid[], new_path uuid[]) RETURNS void
      LANGUAGE plpgsql AS $fn$
      DECLARE
        old_length int := cardinality(old_path);
        new_length int := cardinality(new_path);
      BEGIN
        IF old_path[old_length] <> moved_id OR new_path[new_length] <> moved_id OR old_path[1] <> new_path[1] THEN
          RAISE EXCEPTION 'move_account_usage: paths must end with the moved account and share the root';
        END IF;
        PERFORM pg_advisory_xact_lock(hashtextextended('usage:' || old_path[1]::text, 0));

        WITH moved AS (
          SELECT day, sum(messages) AS messages, sum(parts) AS parts, sum(delivered) AS delivered,
                 sum(failed) AS failed, sum(cost_units) AS cost_units
            FROM messaging.usage_subtree_daily
           WHERE ancestor_id = moved_id
           GROUP BY day
        ), delta AS (
          SELECT old_path[i] AS ancestor_id, old_path[i + 1] AS child_id, day,
                 -messages AS messages, -parts AS parts, -delivered AS delivered, -failed AS failed, -cost_units AS cost_units
            FROM moved, generate_series(1, old_length - 1) AS i
          UNION ALL
          SELECT new_path[i], new_path[i + 1], day, messages, parts, delivered, failed, cost_units
            FROM moved, generate_series(1, new_length - 1) AS i
        )
        INSERT INTO messaging.usage_subtree_daily AS s (ancestor_id, child_id, day, messages, parts, delivered, failed, cost_units)
        SELECT ancestor_id, child_id, day, sum(messages), sum(parts), sum(delivered), sum(failed), sum(cost_units)
          FROM delta
         GROUP BY ancestor_id, child_id, day
        HAVING sum(messages) <> 0 OR sum(parts) <> 0 OR sum(delivered) <> 0 OR sum(failed) <> 0 OR sum(cost_units) <> 0
         ORDER BY ancestor_id, day, child_id
        ON CONFLICT (ancestor_id, day, child_id) DO UPDATE
           SET messages = s.messages + excluded.messages, parts = s.parts + excluded.parts,
               delivered = s.delivered + excluded.delivered, failed = s.failed + excluded.failed,
               cost_units = s.cost_units + excluded.cost_units;

        -- the old ancestors' buckets of the moved account are now empty
        DELETE FROM messaging.usage_subtree_daily
         WHERE ancestor_id = ANY(old_path[1:old_length - 1]) AND child_id = ANY(old_path[2:old_length])
           AND messages = 0 AND parts = 0 AND delivered = 0 AND failed = 0 AND cost_units = 0;

        -- a literal position so the per-level expression index serves the lookup
        EXECUTE format('UPDATE messaging.usage_account_daily SET path = $1 || path[%s:] WHERE path[%s] = $2', old_length, old_length)
          USING new_path[1:new_length - 1], moved_id;
      END
      $fn$`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION messaging.move_account_usage(uuid, uuid[], uuid[])`);
    await queryRunner.query(`DROP TABLE messaging.usage_account_daily`);
    await queryRunner.query(`DROP TABLE messaging.usage_subtree_daily`);
  }
}
