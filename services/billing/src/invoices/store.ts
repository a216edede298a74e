import { groupBy, queryOne, queryRows, type Sql } from '@platform/db';
import type { InvoiceStatus } from '../__generated__/resolvers-types';

export interface InvoiceRow {
  id: string;
  account_id: string;
  period_start: string;
  period_end: string;
  timezone: string;
  status: InvoiceStatus;
  currency: string;
  unit_price_minor: number;
  tax_rate_basis_points: number;
  units: string;
  subtotal_minor: string;
  tax_minor: string;
  total_minor: string;
  issued_at: Date | null;
  paid_at: Date | null;
}

export interface InvoiceLineRow {
  invoice_id: string;
  spending_account_id: string;
  account_name: string;
  depth: number;
  units: string;
  amount_minor: string;
}

export const INVOICE_COLUMNS = `id, account_id, to_char(period_start, 'YYYY-MM-DD') AS period_start, to_char(period_end, 'YYYY-MM-DD') AS period_end,
  timezone, status, currency, unit_price_minor, tax_rate_basis_points, units, subtotal_minor, tax_minor, total_minor, issued_at, paid_at`;

export function findInvoice(db: Sql, id: string): Promise<InvoiceRow | null> {
  return queryOne<InvoiceRow>(db, `SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE id = $1`, [id]);
}

/** Invoices of a paying account, newest period first. */
export function invoicesOfAccount(db: Sql, accountId: string): Promise<InvoiceRow[]> {
  return queryRows<InvoiceRow>(db, `SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE account_id = $1 ORDER BY period_start DESC`, [accountId]);
}

/** For a DataLoader: the lines of each invoice, shallowest account first, then by name. */
export async function linesOfInvoices(db: Sql, invoiceIds: readonly string[]): Promise<InvoiceLineRow[][]> {
  const rows = await queryRows<InvoiceLineRow>(db, `SELECT * FROM billing.invoice_lines WHERE invoice_id = ANY($1::uuid[]) ORDER BY depth, account_name`, [invoiceIds]);
  return groupBy(invoiceIds, rows, (row) => row.invoice_id);
}
