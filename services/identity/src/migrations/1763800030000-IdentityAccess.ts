import type { MigrationInterface, QueryRunner } from 'typeorm';
import { activityLogDropSql, activityLogMigrationSql } from '@platform/audit';

/** Invitations, per-user limits, API keys, partner apps, SSO and the activity log (SPEC I3-I9). */
export class IdentityAccess1763800030000 implements MigrationInterface {
  name = 'IdentityAccess1763800030000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      ALTER TABLE identity.memberships
        -- per-user limits (SPEC I6): NULL sender list = every sender id of the account
        ADD COLUMN allowed_sender_ids uuid[],
        ADD COLUMN contact_access text NOT NULL DEFAULT 'ALL' CHECK (contact_access IN ('ALL', 'SELECTED')),
        -- [{"groupId": uuid, "access": "RESTRICTED" | "FULL"}] when contact_access = 'SELECTED'
        ADD COLUMN contact_groups jsonb NOT NULL DEFAULT '[]'::jsonb`);
    await queryRunner.query(`CREATE INDEX memberships_user ON identity.memberships (user_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE identity.invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        email text NOT NULL CHECK (email = lower(email)),
        role text NOT NULL CHECK (role IN ('ADMIN', 'ADVANCED_USER', 'BASIC_USER')),
        granted_permissions text[] NOT NULL DEFAULT '{}',
        -- SHA-256 of the single-use token; the token itself is only ever in the sealed mail
        token_hash text NOT NULL UNIQUE,
        status text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'SENT', 'ACCEPTED', 'DECLINED', 'EXPIRED', 'REVOKED')),
        invited_by uuid NOT NULL REFERENCES identity.users(id),
        user_id uuid REFERENCES identity.users(id),
        membership_id uuid REFERENCES identity.memberships(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        expires_at timestamptz NOT NULL,
        responded_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX invitations_account ON identity.invitations (account_id, created_at)`);
    await queryRunner.query(`
      CREATE UNIQUE INDEX invitations_open_per_email ON identity.invitations (account_id, email) WHERE status IN ('PENDING', 'SENT')`);
    await queryRunner.query(`
      CREATE TABLE identity.mail_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        recipient text NOT NULL,
        subject text NOT NULL,
        template text NOT NULL,
        -- AES-256-GCM of the message body (it holds a token); opened with readMailOutbox()
        sealed_body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE identity.partner_apps (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (account_id, name)
      )`);
    await queryRunner.query(`
      CREATE TABLE identity.partner_operations (
        app_id uuid NOT NULL REFERENCES identity.partner_apps(id),
        manifest_version int NOT NULL,
        -- sha256 hex of body, as in Apollo's persisted query manifests
        operation_id text NOT NULL CHECK (operation_id ~ '^[0-9a-f]{64}$'),
        name text NOT NULL,
        type text NOT NULL CHECK (type IN ('query', 'mutation', 'subscription')),
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        retired_at timestamptz,
        PRIMARY KEY (app_id, manifest_version, operation_id)
      )`);
    await queryRunner.query(`CREATE INDEX partner_operations_active ON identity.partner_operations (app_id, operation_id) WHERE retired_at IS NULL`);
    await queryRunner.query(`
      CREATE TABLE identity.api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL,
        name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
        -- shown in lists so a key can be recognised; the key itself is stored only as SHA-256
        display_prefix text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        role text CHECK (role IN ('ADMIN', 'ADVANCED_USER', 'BASIC_USER')),
        permissions text[],
        partner_app_id uuid REFERENCES identity.partner_apps(id),
        created_by uuid NOT NULL REFERENCES identity.users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz,
        revoked_at timestamptz,
        last_used_at timestamptz,
        CHECK ((role IS NULL) <> (permissions IS NULL))
      )`);
    await queryRunner.query(`CREATE INDEX api_keys_account ON identity.api_keys (account_id, created_at)`);
    await queryRunner.query(`
      CREATE TABLE identity.sso_configurations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL UNIQUE,
        tree_id uuid NOT NULL,
        issuer text NOT NULL,
        client_id text NOT NULL,
        allowed_domains text[] NOT NULL,
        default_role text NOT NULL DEFAULT 'BASIC_USER' CHECK (default_role IN ('ADMIN', 'ADVANCED_USER', 'BASIC_USER')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX sso_configurations_issuer ON identity.sso_configurations (issuer, client_id)`);
    // A domain belongs to one tree: two trees cannot both claim users of example.com.
    await queryRunner.query(`
      CREATE TABLE identity.sso_domains (
        domain text PRIMARY KEY CHECK (domain = lower(domain)),
        tree_id uuid NOT NULL,
        configuration_id uuid NOT NULL REFERENCES identity.sso_configurations(id) ON DELETE CASCADE
      )`);
    await queryRunner.query(`
      CREATE TABLE identity.user_identities (
        issuer text NOT NULL,
        subject text NOT NULL,
        user_id uuid NOT NULL REFERENCES identity.users(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (issuer, subject)
      )`);
    for (const sql of activityLogMigrationSql('identity')) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const sql of activityLogDropSql('identity')) await queryRunner.query(sql);
    for (const table of ['user_identities', 'sso_domains', 'sso_configurations', 'api_keys', 'partner_operations', 'partner_apps', 'mail_outbox', 'invitations']) {
      await queryRunner.query(`DROP TABLE identity.${table}`);
    }
    await queryRunner.query(`DROP INDEX identity.memberships_user`);
    await queryRunner.query(`ALTER TABLE identity.memberships DROP COLUMN allowed_sender_ids, DROP COLUMN contact_access, DROP COLUMN contact_groups`);
  }
}
