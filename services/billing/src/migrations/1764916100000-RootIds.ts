import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dropRootIdSql, rootIdMigrationSql, type RootIdSource } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const ROOT_ID_TABLES: Record<string, RootIdSource> = {
  balances: { account: 'account_id' },
  account_limits: { account: 'account_id' },
  user_limits: { account: 'account_id' },
  user_limit_renewals: { account: 'account_id' },
  billing_profiles: { account: 'account_id' },
  payment_methods: { account: 'account_id' },
  reservations: { account: 'account_id' },
  ledger_entries: { account: 'paying_account_id' },
  transfers: { account: 'from_account_id' },
  top_ups: { account: 'account_id' },
  events: { account: 'account_id' },
  invoices: { account: 'account_id' },
  invoice_lines: { parent: 'invoices', column: 'invoice_id' },
  payment_callbacks: { parent: 'invoices', column: 'invoice_id' },
  outbox: { path: 'account_path' },
};

export class BillingRootIds1764916100000 implements MigrationInterface {
  name = 'BillingRootIds1764916100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const statement of rootIdMigrationSql('billing', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const statement of dropRootIdSql('billing', ROOT_ID_TABLES)) await queryRunner.query(statement);
  }
}
