import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import type { SubgraphRequestContext } from '@platform/server';
import { BillingService } from './billing-service';
import { CreditService } from './credit-service';
import { InvoiceService, type InvoiceLineRow } from './invoice-service';
import { FakePaymentProvider, type PaymentProvider } from './payment-provider';
import { TopUpService } from './top-up-service';

export interface BalanceRow {
  account_id: string;
  units: string;
  held: string;
  mode: 'PREPAID' | 'POSTPAID';
  credit_ceiling: string;
  low_balance_threshold: string | null;
  auto_top_up_threshold: string | null;
  auto_top_up_units: string | null;
  auto_top_up_payment_method_id: string | null;
}

export interface LimitRow {
  account_id: string;
  credit_limit: string;
  spent: string;
  held: string;
}

export interface UserLimitRow extends LimitRow {
  user_id: string;
  monthly_renewal: boolean;
  period_start: string;
}

export interface PaymentMethodRow {
  id: string;
  account_id: string;
  brand: string;
  last4: string;
  is_default: boolean;
  created_at: Date;
}

export interface ProfileRow {
  account_id: string;
  plan: string;
  billing_email: string | null;
  address: Record<string, string>;
}

export interface BillingContext extends SubgraphRequestContext {
  dataSource: DataSource;
  credit: CreditService;
  billing: BillingService;
  topUps: TopUpService;
  invoices: InvoiceService;
  loaders: {
    /** Balance rows of accounts that pay for themselves; null for accounts drawing on an ancestor. */
    balanceByAccountId: DataLoader<string, BalanceRow | null>;
    limitByAccountId: DataLoader<string, LimitRow | null>;
    userLimitsByAccountId: DataLoader<string, UserLimitRow[]>;
    paymentMethodsByAccountId: DataLoader<string, PaymentMethodRow[]>;
    profileByAccountId: DataLoader<string, ProfileRow | null>;
    invoiceLinesByInvoiceId: DataLoader<string, InvoiceLineRow[]>;
  };
}

function byKey<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): (T | null)[] {
  const map = new Map(rows.map((r) => [keyOf(r), r]));
  return keys.map((k) => map.get(k) ?? null);
}

function groupBy<T>(keys: readonly string[], rows: T[], keyOf: (row: T) => string): T[][] {
  const groups = new Map<string, T[]>(keys.map((k) => [k, []]));
  for (const row of rows) groups.get(keyOf(row))?.push(row);
  return keys.map((k) => groups.get(k) ?? []);
}

const providers = new WeakMap<PlatformConfig, PaymentProvider>();

/** One payment provider per process configuration (the fake keeps its idempotency answers in memory). */
export function paymentProviderFor(config: PlatformConfig): PaymentProvider {
  let provider = providers.get(config);
  if (!provider) {
    provider = new FakePaymentProvider(config.billing.fakeProviderDeclineUnits);
    providers.set(config, provider);
  }
  return provider;
}

export function createBillingContext(base: SubgraphRequestContext, dataSource: DataSource): BillingContext {
  const query = <T>(sql: string, keys: readonly string[]): Promise<T[]> => dataSource.query(sql, [keys]);
  const topUps = new TopUpService(dataSource, paymentProviderFor(base.config), base.config.billing);
  return {
    ...base,
    dataSource,
    credit: new CreditService(dataSource, (id) => base.access.chains.load(id)),
    billing: new BillingService(dataSource, base.access, topUps),
    topUps,
    invoices: new InvoiceService(dataSource, base.access, base.config.billing),
    loaders: {
      balanceByAccountId: new DataLoader(async (ids) =>
        byKey(ids, await query<BalanceRow>(`SELECT * FROM billing.balances WHERE account_id = ANY($1::uuid[])`, ids), (r) => r.account_id),
      ),
      limitByAccountId: new DataLoader(async (ids) =>
        byKey(ids, await query<LimitRow>(`SELECT * FROM billing.account_limits WHERE account_id = ANY($1::uuid[])`, ids), (r) => r.account_id),
      ),
      userLimitsByAccountId: new DataLoader(async (ids) =>
        groupBy(
          ids,
          await query<UserLimitRow>(
            `SELECT account_id, user_id, credit_limit, monthly_renewal, spent, held, to_char(period_start, 'YYYY-MM-DD') AS period_start
               FROM billing.user_limits WHERE account_id = ANY($1::uuid[]) ORDER BY user_id`,
            ids,
          ),
          (r) => r.account_id,
        ),
      ),
      paymentMethodsByAccountId: new DataLoader(async (ids) =>
        groupBy(
          ids,
          await query<PaymentMethodRow>(
            `SELECT id, account_id, brand, last4, is_default, created_at FROM billing.payment_methods
              WHERE account_id = ANY($1::uuid[]) AND removed_at IS NULL ORDER BY created_at, id`,
            ids,
          ),
          (r) => r.account_id,
        ),
      ),
      profileByAccountId: new DataLoader(async (ids) =>
        byKey(ids, await query<ProfileRow>(`SELECT * FROM billing.billing_profiles WHERE account_id = ANY($1::uuid[])`, ids), (r) => r.account_id),
      ),
      invoiceLinesByInvoiceId: new DataLoader(async (ids) =>
        groupBy(
          ids,
          await query<InvoiceLineRow>(`SELECT * FROM billing.invoice_lines WHERE invoice_id = ANY($1::uuid[]) ORDER BY depth, account_name`, ids),
          (r) => r.invoice_id,
        ),
      ),
    },
  };
}
