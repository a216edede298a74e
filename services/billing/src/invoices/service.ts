import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import { loadEffectiveTimezone, type AccessControl, type AccountChain } from '@platform/authz';
import type { BillingSettings } from '@platform/config';
import type { Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import { auditScope } from '../activity';
import { lockBalance, lockBalanceMode } from '../balances/store';
import { postMovement } from '../credit/store';
import { accountLabels } from '../read-model';
import {
  findInvoice,
  lockInvoiceOfPeriod,
  lockInvoiceStatus,
  markInvoiceIssued,
  markInvoicePaid,
  replaceInvoiceLines,
  upsertDraftInvoice,
  usageOfPeriod,
  type InvoiceFigures,
  type InvoiceRow,
  type NewInvoiceLine,
} from './store';

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
    if (!PERIOD.test(period ?? '')) throw errors.badInput('period is a month YYYY-MM', 'period');
    const periodStart = `${period}-01`;
    return mutate(auditScope(this.dataSource, this.access, chain), 'generateInvoice', async (tx) => {
      const balance = await lockBalanceMode(tx, chain.id);
      if (!balance || balance.mode !== 'POSTPAID') throw new AppError('INVALID_STATE', 'Only postpaid paying accounts are invoiced');
      const timezone = await loadEffectiveTimezone(tx, chain.path);
      const existing = await lockInvoiceOfPeriod(tx, chain.id, periodStart);
      if (existing && existing.status !== 'DRAFT') throw new AppError('ALREADY_EXISTS', `The invoice for ${period} is already ${existing.status.toLowerCase()}`);
      const lines = await this.linesOfPeriod(tx, chain.id, periodStart, timezone);
      const invoice = await upsertDraftInvoice(tx, this.figures(chain.id, periodStart, timezone, lines));
      await replaceInvoiceLines(tx, invoice.id, lines);
      return {
        result: invoice,
        targetType: 'Invoice',
        targetId: invoice.id,
        before: existing ? invoiceView(existing) : null,
        after: invoiceView(invoice),
      };
    });
  }

  /** One line per account that spent in the period, shallowest first, then by name. */
  private async linesOfPeriod(tx: Sql, payingAccountId: string, periodStart: string, timezone: string): Promise<NewInvoiceLine[]> {
    const usage = await usageOfPeriod(tx, payingAccountId, periodStart, timezone);
    const accounts = await accountLabels(tx, usage.map((u) => u.spending_account_id));
    const unitPrice = this.settings.unitPriceMinor;
    return usage
      .map((u) => {
        const account = accounts.get(u.spending_account_id);
        const units = Number(u.units);
        return { accountId: u.spending_account_id, name: account?.name ?? u.spending_account_id, depth: account?.depth ?? 0, units, amountMinor: units * unitPrice };
      })
      .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
  }

  /** Totals at the configured price and tax rate. */
  private figures(accountId: string, periodStart: string, timezone: string, lines: NewInvoiceLine[]): InvoiceFigures {
    const unitPrice = this.settings.unitPriceMinor;
    const units = lines.reduce((sum, l) => sum + l.units, 0);
    const subtotal = units * unitPrice;
    const tax = Math.round((subtotal * this.settings.taxRateBasisPoints) / 10_000);
    return {
      accountId,
      periodStart,
      timezone,
      currency: this.settings.currency,
      unitPriceMinor: unitPrice,
      taxRateBasisPoints: this.settings.taxRateBasisPoints,
      units,
      subtotalMinor: subtotal,
      taxMinor: tax,
      totalMinor: subtotal + tax,
    };
  }

  private async requireInvoice(id: string): Promise<{ invoice: InvoiceRow; chain: AccountChain }> {
    const invoice = await findInvoice(this.dataSource, assertId(id, 'id'));
    if (!invoice || !(await this.access.canView(invoice.account_id))) throw errors.notFound('Invoice');
    return { invoice, chain: await this.access.require(invoice.account_id, 'billing') };
  }

  async issue(id: string): Promise<InvoiceRow> {
    const { invoice, chain } = await this.requireInvoice(id);
    return mutate(auditScope(this.dataSource, this.access, chain), 'issueInvoice', async (tx) => {
      const row = await lockInvoiceStatus(tx, invoice.id);
      if (row.status !== 'DRAFT') throw new AppError('INVALID_STATE', `The invoice is already ${row.status.toLowerCase()}`);
      if (!row.ended) throw new AppError('INVALID_STATE', 'The period has not ended yet');
      const issued = await markInvoiceIssued(tx, invoice.id);
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
      const row = await lockInvoiceStatus(tx, invoice.id);
      if (row.status !== 'ISSUED') throw new AppError('INVALID_STATE', 'Only issued invoices can be paid');
      const units = Number(invoice.units);
      if (units > 0) {
        await lockBalance(tx, invoice.account_id);
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
      const paid = await markInvoicePaid(tx, invoice.id);
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
