import { assertId } from '@platform/errors';
import type { BillingContext, LimitRow, PaymentMethodRow, ProfileRow, UserLimitRow } from '../context';
import { invoiceCsv, invoicePdf } from '../invoice-documents';
import { INVOICE_COLUMNS, type InvoiceLineRow, type InvoiceRow } from '../invoice-service';
import { accountNames } from '../read-model';
import { visibleAccount } from './account';
import { sqlOf } from '../sql';

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());
const remaining = (row: LimitRow) => Number(row.credit_limit) - Number(row.spent) - Number(row.held);

export const CreditLimit = {
  limit: (row: LimitRow) => Number(row.credit_limit),
  spent: (row: LimitRow) => Number(row.spent),
  held: (row: LimitRow) => Number(row.held),
  remaining,
};

export const UserCredit = {
  account: (row: UserLimitRow) => ({ id: row.account_id }),
  userId: (row: UserLimitRow) => row.user_id,
  limit: (row: UserLimitRow) => Number(row.credit_limit),
  monthlyRenewal: (row: UserLimitRow) => row.monthly_renewal,
  spent: (row: UserLimitRow) => Number(row.spent),
  held: (row: UserLimitRow) => Number(row.held),
  remaining,
  periodStart: (row: UserLimitRow) => row.period_start,
};

export const LedgerEntry = {
  id: (row: { id: string }) => String(row.id),
  movementId: (row: { movement_id: string }) => row.movement_id,
  payingAccount: (row: { paying_account_id: string }, _args: unknown, ctx: BillingContext) => visibleAccount(row.paying_account_id, ctx),
  spendingAccount: (row: { spending_account_id: string | null }, _args: unknown, ctx: BillingContext) => (row.spending_account_id ? visibleAccount(row.spending_account_id, ctx) : null),
  userId: (row: { user_id: string | null }) => row.user_id,
  units: (row: { units: string }) => Number(row.units),
  balanceAfter: (row: { balance_after: string }) => Number(row.balance_after),
  idempotencyKey: (row: { idempotency_key: string }) => row.idempotency_key,
  createdAt: (row: { created_at: Date }) => iso(row.created_at),
};

export const Transfer = {
  fromAccount: (row: { from_account_id: string }, _args: unknown, ctx: BillingContext) => visibleAccount(row.from_account_id, ctx),
  toAccount: (row: { to_account_id: string }, _args: unknown, ctx: BillingContext) => visibleAccount(row.to_account_id, ctx),
  units: (row: { units: string }) => Number(row.units),
  userId: (row: { user_id: string | null }) => row.user_id,
  createdAt: (row: { created_at: Date }) => iso(row.created_at),
};

export const TopUp = {
  account: (row: { account_id: string }) => ({ id: row.account_id }),
  units: (row: { units: string }) => Number(row.units),
  declineReason: (row: { decline_reason: string | null }) => row.decline_reason,
  paymentMethod: async (row: { account_id: string; payment_method_id: string }, _args: unknown, ctx: BillingContext) =>
    (await ctx.loaders.paymentMethodsByAccountId.load(row.account_id)).find((m) => m.id === row.payment_method_id) ?? null,
  createdAt: (row: { created_at: Date }) => iso(row.created_at),
};

export const BillingProfile = {
  billingEmail: (row: ProfileRow) => row.billing_email,
  address: (row: ProfileRow) => row.address ?? {},
};

export const PaymentMethod = {
  isDefault: (row: PaymentMethodRow) => row.is_default,
  createdAt: (row: PaymentMethodRow) => iso(row.created_at),
};

export const Invoice = {
  account: (row: InvoiceRow) => ({ id: row.account_id }),
  period: (row: InvoiceRow) => row.period_start.slice(0, 7),
  units: (row: InvoiceRow) => Number(row.units),
  subtotal: (row: InvoiceRow) => Number(row.subtotal_minor),
  taxRateBasisPoints: (row: InvoiceRow) => row.tax_rate_basis_points,
  tax: (row: InvoiceRow) => Number(row.tax_minor),
  total: (row: InvoiceRow) => Number(row.total_minor),
  lines: (row: InvoiceRow, _args: unknown, ctx: BillingContext) => ctx.loaders.invoiceLinesByInvoiceId.load(row.id),
  issuedAt: (row: InvoiceRow) => iso(row.issued_at),
  paidAt: (row: InvoiceRow) => iso(row.paid_at),
  document: async (row: InvoiceRow, args: { format: 'CSV' | 'PDF' }, ctx: BillingContext) => {
    const lines = await ctx.loaders.invoiceLinesByInvoiceId.load(row.id);
    const stem = `invoice-${row.period_start.slice(0, 7)}-${row.id.slice(0, 8)}`;
    if (args.format === 'CSV') {
      return { filename: `${stem}.csv`, contentType: 'text/csv; charset=utf-8', base64: Buffer.from(invoiceCsv(row, lines), 'utf8').toString('base64') };
    }
    const names = await accountNames(sqlOf(ctx.dataSource), [row.account_id]);
    const pdf = await invoicePdf(row, lines, names.get(row.account_id) ?? row.account_id);
    return { filename: `${stem}.pdf`, contentType: 'application/pdf', base64: pdf.toString('base64') };
  },
};

export const InvoiceLine = {
  account: (row: InvoiceLineRow) => ({ id: row.spending_account_id }),
  accountName: (row: InvoiceLineRow) => row.account_name,
  units: (row: InvoiceLineRow) => Number(row.units),
  amount: (row: InvoiceLineRow) => Number(row.amount_minor),
};

export const Query = {
  invoice: async (_root: unknown, args: { id: string }, ctx: BillingContext) => {
    const [row] = (await ctx.dataSource.query(`SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE id = $1`, [assertId(args.id)])) as InvoiceRow[];
    if (!row || !(await ctx.access.canView(row.account_id))) return null;
    await ctx.access.require(row.account_id, 'billing');
    return row;
  },
};
