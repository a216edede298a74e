import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import { loadEffectiveTimezone, type AccessControl, type AccountChain } from '@platform/authz';
import type { BillingSettings } from '@platform/config';
import { queryRows } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import { auditScope } from '../activity';
import { postMovement } from '../credit/store';
import { accountLabels } from '../read-model';
import { findInvoice, INVOICE_COLUMNS, type InvoiceRow } from './store';

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** What the activity log keeps of an invoice (SPEC I9). */
const invoiceView = (invoice: InvoiceRow) => ({
  period: invoice.period_start.slice(0, 7),
  status: invoice.status,
  units: Number(invoice.units),
  total: Number(invoice.total_minor),
  currency: invoice.currency,
});

/**
 * SPEC B6. Postpaid invoices per calendar month in the paying account's timezone: one line per
 * account of the tree that spent (USAGE rows of the ledger), tax from configuration. A draft can be
 * regenerated; once issued the period is closed (one invoice per account and period).
 */
export class InvoiceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
    private readonly settings: BillingSettings,
  ) {}

  async generate(accountId: string, period: string): Promise<InvoiceRow> {
    const chain = await this.access.require(assertId(accountId, 'accountId'), 'billing');
    const match = PERIOD.exec(period ?? '');
    if (!match) throw errors.badInput('period is a month YYYY-MM', 'period');
    const periodStart = `${period}-01`;
    return mutate(auditScope(this.dataSource, this.access, chain), 'generateInvoice', async (tx) => {
      const [balance] = await queryRows<{ mode: string }>(tx, `SELECT mode FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [chain.id]);
      if (!balance || balance.mode !== 'POSTPAID') throw new AppError('INVALID_STATE', 'Only postpaid paying accounts are invoiced');
      const timezone = await loadEffectiveTimezone(tx, chain.path);
      const [existing] = await queryRows<InvoiceRow>(tx, `SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE account_id = $1 AND period_start = $2 FOR UPDATE`, [
        chain.id,
        periodStart,
      ]);
      if (existing && existing.status !== 'DRAFT') throw new AppError('ALREADY_EXISTS', `The invoice for ${period} is already ${existing.status.toLowerCase()}`);
      const usage = await queryRows<{ spending_account_id: string; units: string }>(tx,
        `SELECT spending_account_id, sum(units) AS units
           FROM billing.ledger_entries
          WHERE paying_account_id = $1 AND book = 'USAGE'
            AND created_at >= ($2::date)::timestamp AT TIME ZONE $3
            AND created_at < (($2::date + interval '1 month')::timestamp) AT TIME ZONE $3
          GROUP BY spending_account_id`,
        [chain.id, periodStart, timezone],
      );
      const accounts = await accountLabels(tx, usage.map((u) => u.spending_account_id));
      const unitPrice = this.settings.unitPriceMinor;
      const lines = usage
        .map((u) => {
          const account = accounts.get(u.spending_account_id);
          return { accountId: u.spending_account_id, name: account?.name ?? u.spending_account_id, depth: account?.depth ?? 0, units: Number(u.units) };
        })
        .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
      const units = lines.reduce((sum, l) => sum + l.units, 0);
      const subtotal = units * unitPrice;
      const tax = Math.round((subtotal * this.settings.taxRateBasisPoints) / 10_000);
      const values = [chain.id, periodStart, timezone, this.settings.currency, unitPrice, this.settings.taxRateBasisPoints, units, subtotal, tax, subtotal + tax];
      const [invoice] = await queryRows<InvoiceRow>(tx,
        `INSERT INTO billing.invoices (account_id, period_start, period_end, timezone, currency, unit_price_minor, tax_rate_basis_points,
                                       units, subtotal_minor, tax_minor, total_minor)
         VALUES ($1, $2, ($2::date + interval '1 month' - interval '1 day')::date, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (account_id, period_start) DO UPDATE SET timezone = EXCLUDED.timezone, currency = EXCLUDED.currency,
           unit_price_minor = EXCLUDED.unit_price_minor, tax_rate_basis_points = EXCLUDED.tax_rate_basis_points, units = EXCLUDED.units,
           subtotal_minor = EXCLUDED.subtotal_minor, tax_minor = EXCLUDED.tax_minor, total_minor = EXCLUDED.total_minor
         WHERE billing.invoices.status = 'DRAFT'
         RETURNING ${INVOICE_COLUMNS}`,
        values,
      );
      await queryRows(tx, `DELETE FROM billing.invoice_lines WHERE invoice_id = $1`, [invoice.id]);
      for (const line of lines) {
        await queryRows(tx,
          `INSERT INTO billing.invoice_lines (invoice_id, spending_account_id, account_name, depth, units, amount_minor) VALUES ($1, $2, $3, $4, $5, $6)`,
          [invoice.id, line.accountId, line.name, line.depth, line.units, line.units * unitPrice],
        );
      }
      return {
        result: invoice,
        targetType: 'Invoice',
        targetId: invoice.id,
        before: existing ? invoiceView(existing) : null,
        after: invoiceView(invoice),
      };
    });
  }

  private async requireInvoice(id: string): Promise<{ invoice: InvoiceRow; chain: AccountChain }> {
    const invoice = await findInvoice(this.dataSource, assertId(id, 'id'));
    if (!invoice || !(await this.access.canView(invoice.account_id))) throw errors.notFound('Invoice');
    return { invoice, chain: await this.access.require(invoice.account_id, 'billing') };
  }

  async issue(id: string): Promise<InvoiceRow> {
    const { invoice, chain } = await this.requireInvoice(id);
    return mutate(auditScope(this.dataSource, this.access, chain), 'issueInvoice', async (tx) => {
      const [row] = await queryRows<InvoiceRow & { ended: boolean }>(tx,
        `SELECT status, (now() >= ((period_end + 1)::timestamp AT TIME ZONE timezone)) AS ended FROM billing.invoices WHERE id = $1 FOR UPDATE`,
        [invoice.id],
      );
      if (row.status !== 'DRAFT') throw new AppError('INVALID_STATE', `The invoice is already ${row.status.toLowerCase()}`);
      if (!row.ended) throw new AppError('INVALID_STATE', 'The period has not ended yet');
      const [issued] = await queryRows<InvoiceRow>(tx, `UPDATE billing.invoices SET status = 'ISSUED', issued_at = now() WHERE id = $1 RETURNING ${INVOICE_COLUMNS}`, [
        invoice.id,
      ]);
      return {
        result: issued,
        targetType: 'Invoice',
        targetId: invoice.id,
        before: { status: row.status },
        after: invoiceView(issued),
      };
    });
  }

  /** Payment restores the postpaid credit by the invoiced units (a ledger movement). */
  async markPaid(id: string): Promise<InvoiceRow> {
    const { invoice, chain } = await this.requireInvoice(id);
    return mutate(auditScope(this.dataSource, this.access, chain), 'markInvoicePaid', async (tx) => {
      const [row] = await queryRows<{ status: string }>(tx, `SELECT status FROM billing.invoices WHERE id = $1 FOR UPDATE`, [invoice.id]);
      if (row.status !== 'ISSUED') throw new AppError('INVALID_STATE', 'Only issued invoices can be paid');
      const units = Number(invoice.units);
      if (units > 0) {
        await queryRows(tx, `SELECT account_id FROM billing.balances WHERE account_id = $1 FOR UPDATE`, [invoice.account_id]);
        await postMovement(tx, {
          kind: 'INVOICE_PAYMENT',
          idempotencyKey: `invoice-payment:${invoice.id}`,
          reference: invoice.id,
          lines: [
            { book: 'BALANCE', payingAccountId: invoice.account_id, userId: this.access.userId, units },
            { book: 'PAYMENTS', payingAccountId: invoice.account_id, userId: this.access.userId, units: -units },
          ],
        });
      }
      const [paid] = await queryRows<InvoiceRow>(tx, `UPDATE billing.invoices SET status = 'PAID', paid_at = now() WHERE id = $1 RETURNING ${INVOICE_COLUMNS}`, [invoice.id]);
      return {
        result: paid,
        targetType: 'Invoice',
        targetId: invoice.id,
        before: { status: row.status },
        after: { ...invoiceView(paid), restoredUnits: units },
      };
    });
  }
}
