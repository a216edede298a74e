import { AppError } from '@platform/errors';
import type { UserLimitRow } from './credit/store';
import type { InvoiceRow } from './invoices/store';
import type { TopUpRow } from './top-ups/store';
import type { TransferRow } from './transfers/store';
import { assertCursorEndsWithId, pageRequest, timeIdPageRequest, type CountedConnection, type PageArguments } from '@platform/db';

/** Page sizes of billing's lists (ledger, top-ups, transfers, user credits). */
export const BILLING_PAGE = { defaultSize: 50, maxSize: 200 } as const;
/** Invoices: one a month per paying account. */
export const INVOICE_PAGE = { defaultSize: 20, maxSize: 100 } as const;

/** A page of a list keyed on (created_at at full precision, id). */
export const timeIdPage = (args: PageArguments) => timeIdPageRequest(args, BILLING_PAGE);

/** A page of a list keyed on an id alone. */
export const idPage = (args: PageArguments) => assertCursorEndsWithId(pageRequest(args, { ...BILLING_PAGE, keyShape: ['string'] }));

/** A page of invoices, keyed on (period start as YYYY-MM-DD, id). */
export function invoicePage(args: PageArguments) {
  const request = assertCursorEndsWithId(pageRequest(args, { ...INVOICE_PAGE, keyShape: ['string', 'string'] }));
  if (request.cursor && !/^\d{4}-\d{2}-\d{2}$/.test(request.cursor[0])) throw new AppError('BAD_USER_INPUT', 'after is not a cursor of this list', { field: 'after' });
  return request;
}

/** A page of a list keyed on a bigint sequence (as text). */
export function sequencePage(args: PageArguments) {
  const request = pageRequest(args, { ...BILLING_PAGE, keyShape: ['string'] });
  if (request.cursor && !/^\d{1,18}$/.test(request.cursor[0])) throw new AppError('BAD_USER_INPUT', 'after is not a cursor of this list', { field: 'after' });
  return request;
}


/** What the connections resolve from: totalCount is counted only when selected. */
export type CountedUserCredits = CountedConnection<UserLimitRow>;
export type CountedTopUps = CountedConnection<TopUpRow>;
export type CountedTransfers = CountedConnection<TransferRow>;
export type CountedInvoices = CountedConnection<InvoiceRow>;
