import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 5 features of the messaging subgraph (services/messaging/src/features):
 * templates (SPEC M6), trackable short links and their clicks (M8), email to SMS (M9),
 * automation rules, their firings and the forwarding mail outbox (M11).
 */
export class MessagingFeatures1763801100000 implements MigrationInterface {
  name = 'MessagingFeatures1763801100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE messaging.message_templates (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 1600),
        -- usable by every descendant of the account
        shared_down boolean NOT NULL DEFAULT false,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, name)
      )`);

    // One row per (message, URL): the code is the whole credential of the link (≥ 64 random bits).
    await queryRunner.query(`
      CREATE TABLE messaging.short_links (
        code text PRIMARY KEY CHECK (code ~ '^[0-9A-Za-z]{12}$'),
        account_id uuid NOT NULL,
        message_id uuid NOT NULL REFERENCES messaging.messages(id),
        batch_id uuid,
        recipient text NOT NULL,
        target_url text NOT NULL CHECK (target_url ~ '^https?://' AND char_length(target_url) <= 2000),
        clicks int NOT NULL DEFAULT 0,
        first_clicked_at timestamptz,
        last_clicked_at timestamptz,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX short_links_message ON messaging.short_links (message_id)`);
    await queryRunner.query(`CREATE INDEX short_links_batch ON messaging.short_links (batch_id)`);
    await queryRunner.query(`CREATE INDEX short_links_account ON messaging.short_links (account_id, created_at)`);

    await queryRunner.query(`
      CREATE TABLE messaging.email_to_sms_senders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        email text NOT NULL CHECK (email = lower(email) AND char_length(email) <= 254),
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, email)
      )`);
    // One ingestion secret per account: SHA-256 of a 256-bit random secret (never the secret).
    await queryRunner.query(`
      CREATE TABLE messaging.email_to_sms_secrets (
        account_id uuid PRIMARY KEY,
        secret_hash text NOT NULL UNIQUE,
        prefix text NOT NULL,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE messaging.email_to_sms_rejections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        from_email text NOT NULL,
        to_address text NOT NULL,
        code text NOT NULL,
        reason text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX email_to_sms_rejections_account ON messaging.email_to_sms_rejections (account_id, received_at DESC)`);

    await queryRunner.query(`
      CREATE TABLE messaging.automation_rules (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        -- null: every inbound message; else the first word of the message, upper case
        keyword text CHECK (keyword ~ '^[[:alnum:]]{1,20}$'),
        action text NOT NULL CHECK (action IN ('AUTO_REPLY', 'FORWARD_EMAIL', 'FORWARD_WEBHOOK')),
        reply_body text CHECK (char_length(reply_body) <= 1600),
        forward_email text CHECK (char_length(forward_email) <= 254),
        enabled boolean NOT NULL DEFAULT true,
        created_by text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((action = 'AUTO_REPLY') = (reply_body IS NOT NULL)),
        CHECK ((action = 'FORWARD_EMAIL') = (forward_email IS NOT NULL))
      )`);
    await queryRunner.query(`CREATE INDEX automation_rules_account ON messaging.automation_rules (account_id) WHERE enabled`);
    // A rule fires at most once per inbound message (the primary key), and the auto-reply rate limit
    // reads the firings of (rule, number).
    await queryRunner.query(`
      CREATE TABLE messaging.automation_firings (
        rule_id uuid NOT NULL REFERENCES messaging.automation_rules(id) ON DELETE CASCADE,
        inbound_message_id uuid NOT NULL REFERENCES messaging.inbound_messages(id),
        account_id uuid NOT NULL,
        phone_number text NOT NULL,
        action text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('PENDING', 'DONE', 'RATE_LIMITED', 'FAILED')),
        error_code text,
        message_id uuid,
        fired_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (rule_id, inbound_message_id)
      )`);
    await queryRunner.query(`CREATE INDEX automation_firings_rate ON messaging.automation_firings (rule_id, phone_number, fired_at DESC)`);
    await queryRunner.query(`CREATE INDEX automation_firings_inbound ON messaging.automation_firings (inbound_message_id)`);
    // Forwarded inbound messages, for the mail provider (same idea as identity.mail_outbox): the
    // body holds a phone number and the customer's text, so it is sealed (AES-256-GCM).
    await queryRunner.query(`
      CREATE TABLE messaging.mail_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        recipient text NOT NULL,
        subject text NOT NULL,
        template text NOT NULL,
        sealed_body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['mail_outbox', 'automation_firings', 'automation_rules', 'email_to_sms_rejections', 'email_to_sms_secrets', 'email_to_sms_senders', 'short_links', 'message_templates']) {
      await queryRunner.query(`DROP TABLE messaging.${table}`);
    }
  }
}
