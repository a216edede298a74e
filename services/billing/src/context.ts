import DataLoader from 'dataloader';
import { byKey, LoaderPerArguments, toConnections, type Connection, type CursorKey, type PageRequest } from '@platform/db';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import { payingBalanceLoader, type PayingBalance } from './balances/resolvers';
import { BalanceService } from './balances/service';
import { balancesOf, type BalanceRow } from './balances/store';
import { CreditLimitService, CreditService } from './credit/service';
import { countUserCredits, limitsOf, userCreditPages, userLimitsOf, userLimitsOfMemberships, type LimitRow, type SetUserLimitRow } from './credit/store';
import { InvoiceService } from './invoices/service';
import { countInvoices, invoicePages, linesOfInvoices, type InvoiceLineRow, type InvoiceRow } from './invoices/store';
import { ProfileService } from './profile/service';
import { paymentMethodsOf, profilesOf, type PaymentMethodRow, type ProfileRow } from './profile/store';
import { paymentProviderFor } from './top-ups/payment-provider';
import { AccountTopUpService, TopUpService } from './top-ups/service';
import { countTopUps, topUpPages, type TopUpPageRow } from './top-ups/store';
import { countTransfers, transferPages, type TransferPageRow } from './transfers/store';
import { TransferService } from './transfers/service';

export interface BillingContext extends SubgraphRequestContext {
  dataSource: DataSource;
  credit: CreditService;
  limits: CreditLimitService;
  balances: BalanceService;
  transfers: TransferService;
  topUps: TopUpService;
  accountTopUps: AccountTopUpService;
  profiles: ProfileService;
  invoices: InvoiceService;
  loaders: {
    /** Balance rows of accounts that pay for themselves; null for accounts drawing on an ancestor. */
    balanceByAccountId: DataLoader<string, BalanceRow | null>;
    /** The balance that pays for each account (its own or its nearest ancestor's), set-based. */
    payingBalanceByAccountId: DataLoader<string, PayingBalance>;
    limitByAccountId: DataLoader<string, LimitRow | null>;
    userLimitsByAccountId: DataLoader<string, SetUserLimitRow[]>;
    /** keyed by `accountId:userId` */
    userLimitByMembership: DataLoader<string, SetUserLimitRow | null>;
    paymentMethodsByAccountId: DataLoader<string, PaymentMethodRow[]>;
    profileByAccountId: DataLoader<string, ProfileRow | null>;
    invoiceLinesByInvoiceId: DataLoader<string, InvoiceLineRow[]>;
    topUpPages: PagesPerAccount<readonly [string, string], TopUpPageRow>;
    transferPages: PagesPerAccount<readonly [string, string], TransferPageRow>;
    invoicePages: PagesPerAccount<readonly [string, string], InvoiceRow>;
    userCreditPages: PagesPerAccount<readonly [string], SetUserLimitRow>;
  };
}

/** The same page of many accounts' lists (one statement per distinct page), and their sizes (one statement). */
export interface PagesPerAccount<TKey extends CursorKey, TRow> {
  pages: LoaderPerArguments<PageRequest<TKey>, DataLoader<string, Connection<TRow>>>;
  counts: DataLoader<string, number>;
}

function pagesPerAccount<TKey extends CursorKey, TRow>(
  findPages: (accountIds: readonly string[], page: PageRequest<TKey>) => Promise<TRow[]>,
  ownerOf: (row: TRow) => string,
  keyOf: (row: TRow) => TKey,
  count: (accountIds: readonly string[]) => Promise<{ accountId: string; count: number }[]>,
): PagesPerAccount<TKey, TRow> {
  return {
    pages: new LoaderPerArguments((page: PageRequest<TKey>) => new DataLoader(async (ids) => toConnections(ids, await findPages(ids, page), ownerOf, page, keyOf))),
    counts: new DataLoader(async (ids) => byKey(ids, await count(ids), (row) => row.accountId).map((row) => row?.count ?? 0)),
  };
}

export function createBillingContext(base: SubgraphRequestContext, dataSource: DataSource): BillingContext {
  const topUps = new TopUpService(dataSource, paymentProviderFor(base.config), base.config.billing);
  const balanceByAccountId = new DataLoader((ids: readonly string[]) => balancesOf(dataSource, ids));
  return {
    ...base,
    dataSource,
    credit: new CreditService(dataSource, (id) => base.access.chains.load(id)),
    limits: new CreditLimitService(dataSource, base.access),
    balances: new BalanceService(dataSource, base.access),
    transfers: new TransferService(dataSource, base.access),
    topUps,
    accountTopUps: new AccountTopUpService(dataSource, base.access, topUps),
    profiles: new ProfileService(dataSource, base.access),
    invoices: new InvoiceService(dataSource, base.access, base.config.billing),
    loaders: {
      balanceByAccountId,
      payingBalanceByAccountId: payingBalanceLoader(base.access, balanceByAccountId),
      limitByAccountId: new DataLoader((ids) => limitsOf(dataSource, ids)),
      userLimitsByAccountId: new DataLoader((ids) => userLimitsOf(dataSource, ids)),
      userLimitByMembership: new DataLoader((keys) => userLimitsOfMemberships(dataSource, keys)),
      paymentMethodsByAccountId: new DataLoader((ids) => paymentMethodsOf(dataSource, ids)),
      profileByAccountId: new DataLoader((ids) => profilesOf(dataSource, ids)),
      invoiceLinesByInvoiceId: new DataLoader((ids) => linesOfInvoices(dataSource, ids)),
      topUpPages: pagesPerAccount((ids, page) => topUpPages(dataSource, ids, page), (row) => row.account_id, (row) => [row.createdAtKey, row.id] as const, (ids) => countTopUps(dataSource, ids)),
      transferPages: pagesPerAccount((ids, page) => transferPages(dataSource, ids, page), (row) => row.ownerId, (row) => [row.createdAtKey, row.id] as const, (ids) => countTransfers(dataSource, ids)),
      invoicePages: pagesPerAccount((ids, page) => invoicePages(dataSource, ids, page), (row) => row.account_id, (row) => [row.period_start, row.id] as const, (ids) => countInvoices(dataSource, ids)),
      userCreditPages: pagesPerAccount((ids, page) => userCreditPages(dataSource, ids, page), (row) => row.account_id, (row) => [row.user_id] as const, (ids) => countUserCredits(dataSource, ids)),
    },
  };
}
