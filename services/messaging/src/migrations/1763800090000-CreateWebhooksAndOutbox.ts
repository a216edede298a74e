import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogMigrationSql } from '@platform/audit';
import { outboxDropSql, outboxMigrationSql } from '@platform/events';

/**
 * Webhooks (SPEC M10): messaging's own event outbox, the endpoints, the events the dispatcher has
 * relayed from every schema's outbox, one delivery per (event, endpoint), every attempt, and the
 * relay cursor per source schema.
 */
export class CreateWebhooksAndOutbox1763800090000 implements MigrationInterface {
  name = 'CreateWebhooksAndOutbox1763800090000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of outboxMigrationSql('messaging')) await queryRunner.query(sql);
    // Webhook mutations write the activity log; the messaging core migration normally creates it first.
    if (!(await queryRunner.hasTable('messaging.activity_log'))) {
      for (const sql of activityLogMigrationSql('messaging')) await queryRunner.query(sql);
    }

    await queryRunner.query(`
      CREATE TABLE messaging.webhook_endpoints (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        url text NOT NULL CHECK (char_length(url) <= 2000),
        description text CHECK (char_length(description) <= 500),
        event_types text[] NOT NULL CHECK (cardinality(event_types) > 0),
        include_sub_accounts boolean NOT NULL DEFAULT false,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DISABLED')),
        disabled_reason text,
        disabled_at timestamptz,
        -- AES-256-GCM under WEBHOOK_ENCRYPTION_KEY (never the plaintext whsec_ secret)
        secret_sealed text NOT NULL,
        previous_secret_sealed text,
        previous_secret_expires_at timestamptz,
        secret_rotated_at timestamptz,
        last_success_at timestamptz,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX webhook_endpoints_account ON messaging.webhook_endpoints (account_id)`);

    await queryRunner.query(`
      CREATE TABLE messaging.webhook_events (
        id uuid PRIMARY KEY,
        source_schema text NOT NULL,
        type text NOT NULL,
        account_id uuid NOT NULL,
        account_path uuid[] NOT NULL,
        occurred_at timestamptz NOT NULL,
        data jsonb NOT NULL,
        relayed_at timestamptz NOT NULL DEFAULT now()
      )`);

    await queryRunner.query(`
      CREATE TABLE messaging.webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        event_id uuid NOT NULL REFERENCES messaging.webhook_events(id),
        endpoint_id uuid NOT NULL REFERENCES messaging.webhook_endpoints(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SUCCEEDED', 'FAILED')),
        attempt_count integer NOT NULL DEFAULT 0,
        -- attempts since creation or the last replay (the retry schedule restarts on replay)
        cycle_attempts integer NOT NULL DEFAULT 0,
        cycle_started_at timestamptz,
        next_attempt_at timestamptz NOT NULL,
        -- a dispatcher's claim while it sends; another one takes over once it has expired
        lease_token uuid,
        lease_expires_at timestamptz,
        last_response_status integer,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        UNIQUE (event_id, endpoint_id)
      )`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_due ON messaging.webhook_deliveries (next_attempt_at) WHERE status = 'PENDING'`);
    await queryRunner.query(`CREATE INDEX webhook_deliveries_endpoint ON messaging.webhook_deliveries (endpoint_id, created_at DESC)`);

    await queryRunner.query(`
      CREATE TABLE messaging.webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES messaging.webhook_deliveries(id) ON DELETE CASCADE,
        attempt_number integer NOT NULL,
        attempted_at timestamptz NOT NULL,
        latency_ms integer NOT NULL,
        response_status integer,
        outcome text NOT NULL CHECK (outcome IN ('SUCCEEDED', 'FAILED')),
        error text
      )`);
    await queryRunner.query(`CREATE INDEX webhook_attempts_delivery ON messaging.webhook_attempts (delivery_id, attempt_number)`);

    await queryRunner.query(`
      CREATE TABLE messaging.webhook_relay_cursors (
        source_schema text PRIMARY KEY,
        last_txid xid8 NOT NULL,
        last_seq bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['webhook_relay_cursors', 'webhook_attempts', 'webhook_deliveries', 'webhook_events', 'webhook_endpoints']) {
      await queryRunner.query(`DROP TABLE messaging.${table}`);
    }
    for (const sql of outboxDropSql('messaging')) await queryRunner.query(sql);
  }
}
