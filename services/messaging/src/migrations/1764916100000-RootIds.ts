import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropRootIdSql, rootIdMigrationSql, type RootIdSource } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const ROOT_ID_TABLES: Record<string, RootIdSource> = {
  messages: { account: 'account_id' },
  send_batches: { account: 'account_id' },
  sms_counters: { account: 'account_id' },
  contacts: { account: 'account_id' },
  contact_groups: { account: 'account_id' },
  group_members: { parent: 'contact_groups', column: 'group_id' },
  contact_imports: { account: 'account_id' },
  opt_outs: { account: 'account_id' },
  conversations: { account: 'account_id' },
  inbound_messages: { account: 'account_id' },
  message_templates: { account: 'account_id' },
  short_links: { account: 'account_id' },
  sender_ids: { account: 'account_id' },
  automation_rules: { account: 'account_id' },
  automation_firings: { account: 'account_id' },
  email_to_sms_senders: { account: 'account_id' },
  email_to_sms_secrets: { account: 'account_id' },
  email_to_sms_rejections: { account: 'account_id' },
  mail_outbox: { account: 'account_id' },
  usage_account_daily: { path: 'path' },
  usage_subtree_daily: { account: 'ancestor_id' },
  webhook_endpoints: { account: 'account_id' },
  webhook_events: { path: 'account_path' },
  webhook_deliveries: { parent: 'webhook_endpoints', column: 'endpoint_id' },
  webhook_attempts: { parent: 'webhook_deliveries', column: 'delivery_id' },
  outbox: { path: 'account_path' },
};

export class MessagingRootIds1764916100000 implements MigrationInterface {
  name = 'MessagingRootIds1764916100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of rootIdMigrationSql('messaging', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of dropRootIdSql('messaging', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }
}
