import { rootIdMigration } from '@platform/authz';

/** The tree's root account id on every table of a tree's data (issue 16, README "Scaling"): added, backfilled and filled on insert. */
export const BillingRootIds1764916100000 = rootIdMigration('BillingRootIds1764916100000', 'billing', {
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
});
