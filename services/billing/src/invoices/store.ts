import { groupBy, keysetSql, pagesPerParentSql, queryOne, queryRows, type PageRequest, type Sql } from '@platform/db';
import type { InvoiceStatus } from '../__generated__/resolvers-types';
import type { InvoicePaymentNotice } from '../top-ups/payment-provider';

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

const invoiceColumns = (t = '') => `${t}id, ${t}account_id, to_char(${t}period_start, 'YYYY-MM-DD') AS period_start, to_char(${t}period_end, 'YYYY-MM-DD') AS period_end,
  ${t}timezone, ${t}status, ${t}currency, ${t}unit_price_minor, ${t}tax_rate_basis_points, ${t}units, ${t}subtotal_minor, ${t}tax_minor, ${t}total_minor, ${t}issued_at, ${t}paid_at`;
export const INVOICE_COLUMNS = invoiceColumns();

export function findInvoice(db: Sql, id: string): Promise<InvoiceRow | null> {
  return queryOne<InvoiceRow>(db, `SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE id = $1`, [id]);
}

/** The same page of each paying account's invoices, newest period first (one per account and period; the id keeps the order total), in one statement. */
export function invoicePages(db: Sql, accountIds: readonly string[], page: PageRequest<readonly [string, string]>): Promise<InvoiceRow[]> {
  const keyset = keysetSql(page, { columns: ['i.period_start', 'i.id'], types: ['date', 'uuid'], order: 'DESC', firstParameter: 2 });
  return queryRows<InvoiceRow>(db, pagesPerParentSql({ select: invoiceColumns('i.'), from: 'billing.invoices i', conditions: ['i.account_id = parent.id'], keyset }), [accountIds, ...keyset.parameters]);
}

export function countInvoices(db: Sql, accountIds: readonly string[]): Promise<{ accountId: string; count: number }[]> {
  return queryRows(db, `SELECT account_id AS "accountId", count(*)::int AS count FROM billing.invoices WHERE account_id = ANY($1::uuid[]) GROUP BY account_id`, [accountIds]);
}

/** For a DataLoader: the lines of each invoice, shallowest account first, then by name. */
export async function linesOfInvoices(db: Sql, invoiceIds: readonly string[]): Promise<InvoiceLineRow[][]> {
  const rows = await queryRows<InvoiceLineRow>(db, `SELECT * FROM billing.invoice_lines WHERE invoice_id = ANY($1::uuid[]) ORDER BY depth, account_name`, [invoiceIds]);
  return groupBy(invoiceIds, rows, (row) => row.invoice_id);
}

export function lockInvoiceOfPeriod(tx: Sql, accountId: string, periodStart: string): Promise<InvoiceRow | null> {
  return queryOne<InvoiceRow>(tx, `SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE account_id = $1 AND period_start = $2 FOR UPDATE`, [accountId, periodStart]);
}

/** USAGE units a paying account was charged per spending account over the month starting `periodStart` in `timezone`. */
export function usageOfPeriod(tx: Sql, payingAccountId: string, periodStart: string, timezone: string): Promise<{ spending_account_id: string; units: string }[]> {
  return queryRows<{ spending_account_id: string; units: string }>(tx,
    `SELECT spending_account_id, sum(units) AS units
       FROM billing.ledger_entries
      WHERE paying_account_id = $1 AND book = 'USAGE'
        AND created_at >= ($2::date)::timestamp AT TIME ZONE $3
        AND created_at < (($2::date + interval '1 month')::timestamp) AT TIME ZONE $3
      GROUP BY spending_account_id`,
    [payingAccountId, periodStart, timezone],
  );
}

export interface InvoiceFigures {
  accountId: string;
  periodStart: string;
  timezone: string;
  currency: string;
  unitPriceMinor: number;
  taxRateBasisPoints: number;
  units: number;
  subtotalMinor: number;
  taxMinor: number;
  totalMinor: number;
}

/** Creates the draft of the period or refreshes it (the upsert never overwrites an issued or paid invoice). */
export async function upsertDraftInvoice(tx: Sql, figures: InvoiceFigures): Promise<InvoiceRow> {
  const [invoice] = await queryRows<InvoiceRow>(tx,
    `INSERT INTO billing.invoices (account_id, period_start, period_end, timezone, currency, unit_price_minor, tax_rate_basis_points,
                                   units, subtotal_minor, tax_minor, total_minor)
     VALUES ($1, $2, ($2::date + interval '1 month' - interval '1 day')::date, $3, $4, $5, $6, $7, $8, $9, $10)
     ON CONFLICT (account_id, period_start) DO UPDATE SET timezone = EXCLUDED.timezone, currency = EXCLUDED.currency,
       unit_price_minor = EXCLUDED.unit_price_minor, tax_rate_basis_points = EXCLUDED.tax_rate_basis_points, units = EXCLUDED.units,
       subtotal_minor = EXCLUDED.subtotal_minor, tax_minor = EXCLUDED.tax_minor, total_minor = EXCLUDED.total_minor
     WHERE billing.invoices.status = 'DRAFT'
     RETURNING ${INVOICE_COLUMNS}`,
    [
      figures.accountId,
      figures.periodStart,
      figures.timezone,
      figures.currency,
      figures.unitPriceMinor,
      figures.taxRateBasisPoints,
      figures.units,
      figures.subtotalMinor,
      figures.taxMinor,
      figures.totalMinor,
    ],
  );
  return invoice;
}

export interface NewInvoiceLine {
  accountId: string;
  name: string;
  depth: number;
  units: number;
  amountMinor: number;
}

export async function replaceInvoiceLines(tx: Sql, invoiceId: string, lines: NewInvoiceLine[]): Promise<void> {
  await queryRows(tx, `DELETE FROM billing.invoice_lines WHERE invoice_id = $1`, [invoiceId]);
  for (const line of lines) {
    await queryRows(tx,
      `INSERT INTO billing.invoice_lines (invoice_id, spending_account_id, account_name, depth, units, amount_minor) VALUES ($1, $2, $3, $4, $5, $6)`,
      [invoiceId, line.accountId, line.name, line.depth, line.units, line.amountMinor],
    );
  }
}

/** The invoice's status, its row locked, and whether its period has ended in its timezone. */
export async function lockInvoiceStatus(tx: Sql, id: string): Promise<{ status: InvoiceStatus; ended: boolean }> {
  const [row] = await queryRows<{ status: InvoiceStatus; ended: boolean }>(tx,
    `SELECT status, (now() >= ((period_end + 1)::timestamp AT TIME ZONE timezone)) AS ended FROM billing.invoices WHERE id = $1 FOR UPDATE`,
    [id],
  );
  return row;
}

export async function markInvoiceIssued(tx: Sql, id: string): Promise<InvoiceRow> {
  const [issued] = await queryRows<InvoiceRow>(tx, `UPDATE billing.invoices SET status = 'ISSUED', issued_at = now() WHERE id = $1 RETURNING ${INVOICE_COLUMNS}`, [id]);
  return issued;
}

export async function markInvoicePaid(tx: Sql, id: string): Promise<InvoiceRow> {
  const [paid] = await queryRows<InvoiceRow>(tx, `UPDATE billing.invoices SET status = 'PAID', paid_at = now() WHERE id = $1 RETURNING ${INVOICE_COLUMNS}`, [id]);
  return paid;
}

/** Drafts whose period has ended in their timezone (the sweeper issues them). */
export function endedDrafts(db: Sql): Promise<{ account_id: string; period_start: string }[]> {
  return queryRows<{ account_id: string; period_start: string }>(db,
    `SELECT account_id, to_char(period_start, 'YYYY-MM-DD') AS period_start FROM billing.invoices
      WHERE status = 'DRAFT' AND now() >= ((period_end + 1)::timestamp AT TIME ZONE timezone) ORDER BY period_start, account_id`,
  );
}

/** Accounts that pay for themselves in a postpaid tree. */
export async function postpaidPayingAccounts(db: Sql): Promise<string[]> {
  const rows = await queryRows<{ account_id: string }>(db, `SELECT account_id FROM billing.balances WHERE mode = 'POSTPAID' ORDER BY account_id`);
  return rows.map((row) => row.account_id);
}

/** First day (YYYY-MM-DD) of the previous calendar month in `timezone`: the last period that has ended. */
export async function previousMonthStartIn(db: Sql, timezone: string): Promise<string> {
  const [row] = await queryRows<{ period: string }>(db, `SELECT to_char(date_trunc('month', now() AT TIME ZONE $1) - interval '1 month', 'YYYY-MM-DD') AS period`, [timezone]);
  return row.period;
}

/** Records a provider callback's event once; false when it was recorded before (a replay). */
export async function insertPaymentCallback(tx: Sql, notice: InvoicePaymentNotice): Promise<boolean> {
  const inserted = await queryRows(tx,
    `INSERT INTO billing.payment_callbacks (event_id, invoice_id, amount_minor, currency) VALUES ($1, $2, $3, $4)
     ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
    [notice.eventId, notice.invoiceId.toLowerCase(), notice.amountMinor, notice.currency],
  );
  return inserted.length > 0;
}
