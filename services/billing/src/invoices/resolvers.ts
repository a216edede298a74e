import { loadAccountNames } from '@platform/authz';
import { assertId } from '@platform/errors';
import type { BillingContext } from '../context';
import { invoiceCsv, invoicePdf } from './documents';
import { findInvoice, invoicesOfAccount, type InvoiceLineRow, type InvoiceRow } from './store';

const iso = (value: Date | null) => (value === null ? null : new Date(value).toISOString());

export const resolvers = {
  Account: {
    invoices: (account: { id: string }, _args: unknown, ctx: BillingContext) => invoicesOfAccount(ctx.dataSource, account.id),
  },
  Invoice: {
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
      const names = await loadAccountNames(ctx.dataSource, [row.account_id]);
      const pdf = await invoicePdf(row, lines, names.get(row.account_id) ?? row.account_id);
      return { filename: `${stem}.pdf`, contentType: 'application/pdf', base64: pdf.toString('base64') };
    },
  },
  InvoiceLine: {
    account: (row: InvoiceLineRow) => ({ id: row.spending_account_id }),
    accountName: (row: InvoiceLineRow) => row.account_name,
    units: (row: InvoiceLineRow) => Number(row.units),
    amount: (row: InvoiceLineRow) => Number(row.amount_minor),
  },
  Query: {
    invoice: async (_root: unknown, args: { id: string }, ctx: BillingContext) => {
      const row = await findInvoice(ctx.dataSource, assertId(args.id));
      if (!row || !(await ctx.access.canView(row.account_id))) return null;
      await ctx.access.require(row.account_id, 'billing');
      return row;
    },
  },
  Mutation: {
    generateInvoice: (_root: unknown, args: { accountId: string; period: string }, ctx: BillingContext) => ctx.invoices.generate(args.accountId, args.period),
    issueInvoice: (_root: unknown, args: { id: string }, ctx: BillingContext) => ctx.invoices.issue(args.id),
    markInvoicePaid: (_root: unknown, args: { id: string }, ctx: BillingContext) => ctx.invoices.markPaid(args.id),
  },
};
