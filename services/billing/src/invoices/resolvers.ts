import { loadAccountNames } from '@platform/authz';
import { withTotalCount } from '@platform/db';
import { assertId } from '@platform/errors';
import type { AccountResolvers, InvoiceLineResolvers, InvoiceResolvers, MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { invoiceCsv, invoicePdf } from './documents';
import { invoicePage } from '../page-size';
import { findInvoice } from './store';

const Account: AccountResolvers = {
  invoices: async (account, args, ctx) => {
    const page = invoicePage(args);
    return withTotalCount(await ctx.loaders.invoicePages.pages.for(page).load(account.id), () => ctx.loaders.invoicePages.counts.load(account.id));
  },
};

const Invoice: InvoiceResolvers = {
  account: (row) => ({ id: row.account_id }),
  period: (row) => row.period_start.slice(0, 7),
  units: (row) => Number(row.units),
  subtotal: (row) => Number(row.subtotal_minor),
  taxRateBasisPoints: (row) => row.tax_rate_basis_points,
  tax: (row) => Number(row.tax_minor),
  total: (row) => Number(row.total_minor),
  lines: (row, _args, ctx) => ctx.loaders.invoiceLinesByInvoiceId.load(row.id),
  issuedAt: (row) => row.issued_at,
  paidAt: (row) => row.paid_at,
  document: async (row, args, ctx) => {
    const lines = await ctx.loaders.invoiceLinesByInvoiceId.load(row.id);
    const stem = `invoice-${row.period_start.slice(0, 7)}-${row.id.slice(0, 8)}`;
    if (args.format === 'CSV') {
      return { filename: `${stem}.csv`, contentType: 'text/csv; charset=utf-8', base64: Buffer.from(invoiceCsv(row, lines), 'utf8').toString('base64') };
    }
    const names = await loadAccountNames(ctx.dataSource, [row.account_id]);
    const pdf = await invoicePdf(row, lines, names.get(row.account_id) ?? row.account_id);
    return { filename: `${stem}.pdf`, contentType: 'application/pdf', base64: pdf.toString('base64') };
  },
};

const InvoiceLine: InvoiceLineResolvers = {
  account: (row) => ({ id: row.spending_account_id }),
  accountName: (row) => row.account_name,
  units: (row) => Number(row.units),
  amount: (row) => Number(row.amount_minor),
};

const Query: QueryResolvers = {
  invoice: async (_root, args, ctx) => {
    const row = await findInvoice(ctx.dataSource, assertId(args.id));
    if (!row || !(await ctx.access.canView(row.account_id))) return null;
    await ctx.access.require(row.account_id, 'billing');
    return row;
  },
};

const Mutation: MutationResolvers = {
  generateInvoice: (_root, args, ctx) => ctx.invoices.generate(args.accountId, args.period),
  issueInvoice: (_root, args, ctx) => ctx.invoices.issue(args.id),
  markInvoicePaid: (_root, args, ctx) => ctx.invoices.markPaid(args.id),
};

export const resolvers: Resolvers = { Account, Invoice, InvoiceLine, Query, Mutation };
