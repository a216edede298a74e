import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import { loadAccountChains, loadEffectiveTimezone, type AccessControl, type AccountChain, type Principal } from '@platform/authz';
import type { BillingSettings } from '@platform/config';
import type { Sql } from '@platform/db';
import { AppError, assertId, errors, isUuid } from '@platform/errors';
import { SCHEMA } from '../data-source';
import { auditScope } from '../activity';
import { lockBalance, lockBalanceMode } from '../balances/store';
import { postMovement } from '../credit/store';
import { accountLabels } from '../read-model';
import type { InvoicePaymentNotice } from '../top-ups/payment-provider';
import {
  endedDrafts,
  findInvoice,
  insertPaymentCallback,
  lockInvoiceOfPeriod,
  lockInvoiceStatus,
  markInvoiceIssued,
  markInvoicePaid,
  postpaidPayingAccounts,
  previousMonthStartIn,
  replaceInvoiceLines,
  upsertDraftInvoice,
  usageOfPeriod,
  type InvoiceFigures,
  type InvoiceRow,
  type NewInvoiceLine,
} from './store';

const PERIOD = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** Who records a payment the provider's signed callback reports (SPEC O3). */
export const PAYMENT_PROVIDER: Principal = { kind: 'SERVICE', id: 'payment-provider', actingAccountId: null, sessionId: null };

/** What the activity log keeps of an invoice (SPEC I9). */
const invoiceView = (invoice: InvoiceRow) => ({
  period: invoice.period_start.slice(0, 7),
  status: invoice.status,
  units: Number(invoice.units),
  total: Number(invoice.total_minor),
  currency: invoice.currency,
});

/** One line per account that spent in the period, shallowest first, then by name. */
async function linesOfPeriod(tx: Sql, settings: BillingSettings, payingAccountId: string, periodStart: string, timezone: string): Promise<NewInvoiceLine[]> {
  const usage = await usageOfPeriod(tx, payingAccountId, periodStart, timezone);
  const accounts = await accountLabels(tx, usage.map((u) => u.spending_account_id));
  return usage
    .map((u) => {
      const account = accounts.get(u.spending_account_id);
      const units = Number(u.units);
      return { accountId: u.spending_account_id, name: account?.name ?? u.spending_account_id, depth: account?.depth ?? 0, units, amountMinor: units * settings.unitPriceMinor };
    })
    .sort((a, b) => a.depth - b.depth || a.name.localeCompare(b.name));
}

/** Totals at the configured price and tax rate. */
function figures(settings: BillingSettings, accountId: string, periodStart: string, timezone: string, lines: NewInvoiceLine[]): InvoiceFigures {
  const units = lines.reduce((sum, l) => sum + l.units, 0);
  const subtotal = units * settings.unitPriceMinor;
  const tax = Math.round((subtotal * settings.taxRateBasisPoints) / 10_000);
  return {
    accountId,
    periodStart,
    timezone,
    currency: settings.currency,
    unitPriceMinor: settings.unitPriceMinor,
    taxRateBasisPoints: settings.taxRateBasisPoints,
    units,
    subtotalMinor: subtotal,
    taxMinor: tax,
    totalMinor: subtotal + tax,
  };
}

/**
 * The draft of a postpaid paying account's period, created or refreshed from the ledger (its
 * balance row locked first, so generators of one account queue). ALREADY_EXISTS once issued.
 */
async function refreshDraft(tx: Sql, settings: BillingSettings, chain: AccountChain, periodStart: string): Promise<{ existing: InvoiceRow | null; draft: InvoiceRow }> {
  const balance = await lockBalanceMode(tx, chain.id);
  if (!balance || balance.mode !== 'POSTPAID') throw new AppError('INVALID_STATE', 'Only postpaid paying accounts are invoiced');
  const timezone = await loadEffectiveTimezone(tx, chain.path);
  const existing = await lockInvoiceOfPeriod(tx, chain.id, periodStart);
  if (existing && existing.status !== 'DRAFT') throw new AppError('ALREADY_EXISTS', `The invoice for ${periodStart.slice(0, 7)} is already ${existing.status.toLowerCase()}`);
  const lines = await linesOfPeriod(tx, settings, chain.id, periodStart, timezone);
  const draft = await upsertDraftInvoice(tx, figures(settings, chain.id, periodStart, timezone, lines));
  await replaceInvoiceLines(tx, draft.id, lines);
  return { existing, draft };
}

/** Freezes a locked draft whose period has ended. */
async function issueDraft(tx: Sql, invoiceId: string): Promise<{ before: { status: string }; issued: InvoiceRow }> {
  const row = await lockInvoiceStatus(tx, invoiceId);
  if (row.status !== 'DRAFT') throw new AppError('INVALID_STATE', `The invoice is already ${row.status.toLowerCase()}`);
  if (!row.ended) throw new AppError('INVALID_STATE', 'The period has not ended yet');
  return { before: { status: row.status }, issued: await markInvoiceIssued(tx, invoiceId) };
}

/** Payment of an issued invoice restores the postpaid credit by the invoiced units (a ledger movement). */
async function payIssued(tx: Sql, invoice: InvoiceRow): Promise<{ before: { status: string }; paid: InvoiceRow; restoredUnits: number }> {
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
        { book: 'BALANCE', payingAccountId: invoice.account_id, units },
        { book: 'PAYMENTS', payingAccountId: invoice.account_id, units: -units },
      ],
    });
  }
  return { before: { status: row.status }, paid: await markInvoicePaid(tx, invoice.id), restoredUnits: units };
}

/**
 * SPEC B6, O3. Postpaid invoices per calendar month in the paying account's timezone: one line per
 * account of the tree that spent (USAGE rows of the ledger), tax from configuration. A draft can be
 * regenerated; once issued the period is closed (one invoice per account and period). Generating,
 * issuing and recording payments are the operator's (finance); the sweeper issues ended periods and
 * the payment provider's signed callback records payments too. Customers read invoices.
 */
export class InvoiceService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
    private readonly settings: BillingSettings,
  ) {}

  async generate(accountId: string, period: string): Promise<InvoiceRow> {
    const chain = await this.access.requireAsOperator(assertId(accountId, 'accountId'), 'finance');
    if (!PERIOD.test(period ?? '')) throw errors.badInput('period is a month YYYY-MM', 'period');
    return mutate(auditScope(this.dataSource, this.access, chain), 'generateInvoice', async (tx) => {
      const { existing, draft } = await refreshDraft(tx, this.settings, chain, `${period}-01`);
      return { result: draft, targetType: 'Invoice', targetId: draft.id, before: existing ? invoiceView(existing) : null, after: invoiceView(draft) };
    });
  }

  private async requireInvoice(id: string): Promise<{ invoice: InvoiceRow; chain: AccountChain }> {
    this.access.requireOperator('finance');
    const invoice = await findInvoice(this.dataSource, assertId(id, 'id'));
    const chain = invoice && (await this.access.chains.load(invoice.account_id));
    if (!invoice || !chain) throw errors.notFound('Invoice');
    return { invoice, chain };
  }

  async issue(id: string): Promise<InvoiceRow> {
    const { invoice, chain } = await this.requireInvoice(id);
    return mutate(auditScope(this.dataSource, this.access, chain), 'issueInvoice', async (tx) => {
      const { before, issued } = await issueDraft(tx, invoice.id);
      return { result: issued, targetType: 'Invoice', targetId: invoice.id, before, after: invoiceView(issued) };
    });
  }

  async markPaid(id: string): Promise<InvoiceRow> {
    const { invoice, chain } = await this.requireInvoice(id);
    return mutate(auditScope(this.dataSource, this.access, chain), 'markInvoicePaid', async (tx) => {
      const { before, paid, restoredUnits } = await payIssued(tx, invoice);
      return { result: paid, targetType: 'Invoice', targetId: invoice.id, before, after: { ...invoiceView(paid), restoredUnits } };
    });
  }
}

export type ProviderPaymentOutcome = 'RECORDED' | 'REPLAYED' | 'ALREADY_PAID';

/**
 * A payment the provider's verified callback reports. Each event id is recorded once, in the
 * transaction that pays the invoice: a replayed callback finds it and changes nothing. The amount
 * and currency must be the invoice's.
 */
export async function recordProviderPayment(dataSource: DataSource, notice: InvoicePaymentNotice): Promise<ProviderPaymentOutcome> {
  const invoice = isUuid(notice.invoiceId) ? await findInvoice(dataSource, notice.invoiceId.toLowerCase()) : null;
  const chain = invoice && (await loadAccountChains(dataSource, [invoice.account_id])).get(invoice.account_id);
  if (!invoice || !chain) throw errors.notFound('Invoice');
  if (notice.amountMinor !== Number(invoice.total_minor) || notice.currency !== invoice.currency) {
    throw errors.badInput(`The payment (${notice.amountMinor} ${notice.currency}) is not the invoice total (${invoice.total_minor} ${invoice.currency})`, 'amountMinor');
  }
  return mutate({ dataSource, schema: SCHEMA, principal: PAYMENT_PROVIDER, chain }, 'markInvoicePaid', async (tx) => {
    // Replays of one event queue on its key here; the first one's commit makes the others replays.
    if (!(await insertPaymentCallback(tx, notice))) return { result: 'REPLAYED' as const, unchanged: true };
    if ((await lockInvoiceStatus(tx, invoice.id)).status === 'PAID') return { result: 'ALREADY_PAID' as const, unchanged: true };
    const { before, paid, restoredUnits } = await payIssued(tx, invoice);
    return { result: 'RECORDED' as const, targetType: 'Invoice', targetId: invoice.id, before, after: { ...invoiceView(paid), restoredUnits, providerEventId: notice.eventId } };
  });
}

const SWEEPER: Principal = { kind: 'SERVICE', id: 'billing-sweeper', actingAccountId: null, sessionId: null };

/**
 * The sweeper's invoicing (SPEC B6, O3): every draft whose period has ended, and the last ended
 * month of each postpaid paying account that spent in it, is refreshed from the ledger and issued,
 * one transaction each (logged as `issueInvoice` by the billing sweeper). Safe in several
 * processes: the balance row lock queues them and an issued period is skipped.
 */
export async function issueEndedPeriods(dataSource: DataSource, settings: BillingSettings): Promise<number> {
  const due = new Map((await endedDrafts(dataSource)).map((d) => [`${d.account_id}:${d.period_start}`, d]));
  const postpaid = await postpaidPayingAccounts(dataSource);
  const chains = await loadAccountChains(dataSource, [...new Set([...postpaid, ...[...due.values()].map((d) => d.account_id)])]);
  for (const accountId of postpaid) {
    const chain = chains.get(accountId);
    if (!chain) continue;
    const timezone = await loadEffectiveTimezone(dataSource, chain.path);
    const periodStart = await previousMonthStartIn(dataSource, timezone);
    if (!due.has(`${accountId}:${periodStart}`) && (await usageOfPeriod(dataSource, accountId, periodStart, timezone)).length > 0) {
      due.set(`${accountId}:${periodStart}`, { account_id: accountId, period_start: periodStart });
    }
  }
  let issued = 0;
  for (const { account_id: accountId, period_start: periodStart } of due.values()) {
    const chain = chains.get(accountId);
    if (!chain) continue;
    const done = await mutate({ dataSource, schema: SCHEMA, principal: SWEEPER, chain }, 'issueInvoice', async (tx) => {
      const balance = await lockBalanceMode(tx, chain.id);
      const current = await lockInvoiceOfPeriod(tx, chain.id, periodStart);
      // another process issued it, or the tree is no longer postpaid: nothing to do
      if (balance?.mode !== 'POSTPAID' || (current && current.status !== 'DRAFT')) return { result: false, unchanged: true };
      const { draft } = await refreshDraft(tx, settings, chain, periodStart);
      const { before, issued: invoice } = await issueDraft(tx, draft.id);
      return { result: true, targetType: 'Invoice', targetId: invoice.id, before, after: invoiceView(invoice) };
    });
    if (done) issued += 1;
  }
  return issued;
}
