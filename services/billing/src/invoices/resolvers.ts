import { withTotalCount } from '@platform/db';
import { assertId } from '@platform/errors';
import type { AccountResolvers, InvoiceLineResolvers, InvoiceResolvers, MutationResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { invoicePage } from '../page-size';
import { invoiceDownloadLink, invoiceFile, readableInvoice } from './download';

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
    const file = await invoiceFile(ctx.dataSource, row, await ctx.loaders.invoiceLinesByInvoiceId.load(row.id), args.format);
    return { filename: file.filename, contentType: file.contentType, base64: file.content.toString('base64') };
  },
  download: (row, args, ctx) => invoiceDownloadLink(row, args.format, ctx.access.principal, ctx.config.internalSigningSecret),
};

const InvoiceLine: InvoiceLineResolvers = {
  account: (row) => ({ id: row.spending_account_id }),
  accountName: (row) => row.account_name,
  units: (row) => Number(row.units),
  amount: (row) => Number(row.amount_minor),
};

const Query: QueryResolvers = {
  invoice: (_root, args, ctx) => readableInvoice(ctx.access, ctx.dataSource, assertId(args.id)),
};

const Mutation: MutationResolvers = {
  generateInvoice: (_root, args, ctx) => ctx.invoices.generate(args.accountId, args.period),
  issueInvoice: (_root, args, ctx) => ctx.invoices.issue(args.id),
  markInvoicePaid: (_root, args, ctx) => ctx.invoices.markPaid(args.id),
};

export const resolvers: Resolvers = { Account, Invoice, InvoiceLine, Query, Mutation };
