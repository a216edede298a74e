import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** Contacts, groups, sender IDs, sends, limits counters, the delivery queue, inbox and opt-outs (SPEC M1-M5, M7). */
export class MessagingCore1763800050000 implements MigrationInterface {
  name = 'MessagingCore1763800050000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogMigrationSql('messaging')) await queryRunner.query(sql);
    await queryRunner.query(`
      CREATE TABLE messaging.contacts (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        -- E.164
        phone_number text NOT NULL CHECK (phone_number ~ '^\\+[1-9][0-9]{6,14}$'),
        first_name text,
        last_name text,
        email text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX contacts_account_phone ON messaging.contacts (account_id, phone_number)`);
    await queryRunner.query(`CREATE INDEX contacts_account_created ON messaging.contacts (account_id, created_at, id)`);
    await queryRunner.query(`
      CREATE TABLE messaging.contact_groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        name text NOT NULL,
        -- shared down the tree (SPEC M5): NULL = not shared
        shared_access text CHECK (shared_access IN ('READ', 'READ_SEND')),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX contact_groups_account ON messaging.contact_groups (account_id)`);
    await queryRunner.query(`
      CREATE TABLE messaging.group_members (
        group_id uuid NOT NULL REFERENCES messaging.contact_groups(id) ON DELETE CASCADE,
        contact_id uuid NOT NULL REFERENCES messaging.contacts(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, contact_id)
      )`);
    await queryRunner.query(`CREATE INDEX group_members_contact ON messaging.group_members (contact_id)`);
    await queryRunner.query(`
      CREATE TABLE messaging.sender_ids (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('DEDICATED_NUMBER', 'ALPHANUMERIC', 'PERSONAL_NUMBER', 'SHORT_CODE')),
        value text NOT NULL,
        status text NOT NULL CHECK (status IN ('REQUESTED', 'PENDING_VERIFICATION', 'ACTIVE', 'REJECTED', 'RETIRED')),
        shared_down boolean NOT NULL DEFAULT false,
        -- SHA-256 of the code texted to a personal number; never the code itself
        verification_code_hash text,
        verification_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX sender_ids_account ON messaging.sender_ids (account_id)`);
    await queryRunner.query(`
      CREATE TABLE messaging.send_batches (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL,
        user_id uuid,
        idempotency_key text NOT NULL,
        -- SHA-256 of the request: a key replayed with other parameters is refused
        request_hash text NOT NULL,
        reservation_id uuid,
        credit_state text NOT NULL CHECK (credit_state IN ('NONE', 'HELD', 'CAPTURED', 'RELEASED', 'FAILED')),
        send_at timestamptz NOT NULL,
        units int NOT NULL,
        -- the answer given, returned again to a retried request
        result jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, idempotency_key)
      )`);
    await queryRunner.query(`CREATE INDEX send_batches_held ON messaging.send_batches (send_at) WHERE credit_state = 'HELD'`);
    await queryRunner.query(`
      ALTER TABLE messaging.messages
        ADD COLUMN batch_id uuid,
        ADD COLUMN contact_id uuid,
        ADD COLUMN sender_id uuid,
        ADD COLUMN sender_value text NOT NULL DEFAULT 'SHARED',
        ADD COLUMN encoding text NOT NULL DEFAULT 'GSM7' CHECK (encoding IN ('GSM7', 'UCS2')),
        ADD COLUMN cost_units int NOT NULL DEFAULT 1,
        ADD COLUMN usage_day date NOT NULL DEFAULT (now() AT TIME ZONE 'UTC')::date,
        ADD COLUMN send_at timestamptz NOT NULL DEFAULT now(),
        ADD COLUMN wants_receipt boolean NOT NULL DEFAULT true,
        ADD COLUMN attempts int NOT NULL DEFAULT 0,
        ADD COLUMN lease_until timestamptz,
        ADD COLUMN carrier_message_id text,
        ADD COLUMN error_code text,
        ADD COLUMN sent_at timestamptz,
        ADD COLUMN status_at timestamptz`);
    await queryRunner.query(`CREATE INDEX messages_queued ON messaging.messages (send_at) WHERE status = 'QUEUED'`);
    await queryRunner.query(`CREATE INDEX messages_batch ON messaging.messages (batch_id)`);
    await queryRunner.query(`CREATE INDEX messages_account_created ON messaging.messages (account_id, created_at DESC, id DESC)`);
    await queryRunner.query(`CREATE INDEX messages_account_recipient ON messaging.messages (account_id, recipient)`);
    await queryRunner.query(`
      CREATE TABLE messaging.sms_counters (
        account_id uuid NOT NULL,
        period_kind text NOT NULL CHECK (period_kind IN ('DAY', 'MONTH')),
        period_start date NOT NULL,
        used int NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, period_kind, period_start)
      )`);
    await queryRunner.query(`
      CREATE TABLE messaging.opt_outs (
        account_id uuid NOT NULL,
        phone_number text NOT NULL,
        keyword text,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (account_id, phone_number)
      )`);
    await queryRunner.query(`
      CREATE TABLE messaging.conversations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        phone_number text NOT NULL,
        last_message_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, phone_number)
      )`);
    await queryRunner.query(`CREATE INDEX conversations_account_recent ON messaging.conversations (account_id, last_message_at DESC, id DESC)`);
    await queryRunner.query(`
      CREATE TABLE messaging.inbound_messages (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        conversation_id uuid NOT NULL REFERENCES messaging.conversations(id),
        from_number text NOT NULL,
        body text NOT NULL,
        opt_out boolean NOT NULL DEFAULT false,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX inbound_messages_conversation ON messaging.inbound_messages (conversation_id, received_at)`);
    // The built-in loopback carrier's own record of what it was asked to send: one row per message
    // id (its calls are idempotent by message id), so tests can count what was really sent.
    await queryRunner.query(`
      CREATE TABLE messaging.loopback_carrier_calls (
        message_id uuid PRIMARY KEY,
        carrier_message_id text NOT NULL,
        recipient text NOT NULL,
        sender text NOT NULL,
        body text NOT NULL,
        calls int NOT NULL DEFAULT 1,
        accepted_at timestamptz NOT NULL DEFAULT now(),
        wants_receipt boolean NOT NULL,
        receipt_due_at timestamptz NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('DELIVERED', 'FAILED', 'EXPIRED')),
        receipt_reported_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX loopback_receipts_due ON messaging.loopback_carrier_calls (receipt_due_at) WHERE receipt_reported_at IS NULL AND wants_receipt`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['loopback_carrier_calls', 'inbound_messages', 'conversations', 'opt_outs', 'sms_counters', 'send_batches', 'sender_ids', 'group_members', 'contact_groups', 'contacts']) {
      await queryRunner.query(`DROP TABLE messaging.${table}`);
    }
    await queryRunner.query(`
      ALTER TABLE messaging.messages DROP COLUMN batch_id, DROP COLUMN contact_id, DROP COLUMN sender_id, DROP COLUMN sender_value,
        DROP COLUMN encoding, DROP COLUMN cost_units, DROP COLUMN usage_day, DROP COLUMN send_at, DROP COLUMN wants_receipt,
        DROP COLUMN attempts, DROP COLUMN lease_until, DROP COLUMN carrier_message_id, DROP COLUMN error_code, DROP COLUMN sent_at, DROP COLUMN status_at`);
    for (const sql of activityLogDropSql('messaging')) await queryRunner.query(sql);
  }
}
