import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import type { SubgraphRequestContext } from '@platform/server';
import { BalanceService } from './balances/service';
import { balancesOf, type BalanceRow } from './balances/store';
import { CreditLimitService, CreditService } from './credit/service';
import { limitsOf, userLimitsOf, userLimitsOfMemberships, type LimitRow, type SetUserLimitRow } from './credit/store';
import { InvoiceService } from './invoices/service';
import { linesOfInvoices, type InvoiceLineRow } from './invoices/store';
import { ProfileService } from './profile/service';
import { paymentMethodsOf, profilesOf, type PaymentMethodRow, type ProfileRow } from './profile/store';
import { paymentProviderFor } from './top-ups/payment-provider';
import { AccountTopUpService, TopUpService } from './top-ups/service';
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
    limitByAccountId: DataLoader<string, LimitRow | null>;
    userLimitsByAccountId: DataLoader<string, SetUserLimitRow[]>;
    /** keyed by `accountId:userId` */
    userLimitByMembership: DataLoader<string, SetUserLimitRow | null>;
    paymentMethodsByAccountId: DataLoader<string, PaymentMethodRow[]>;
    profileByAccountId: DataLoader<string, ProfileRow | null>;
    invoiceLinesByInvoiceId: DataLoader<string, InvoiceLineRow[]>;
  };
}

export function createBillingContext(base: SubgraphRequestContext, dataSource: DataSource): BillingContext {
  const topUps = new TopUpService(dataSource, paymentProviderFor(base.config), base.config.billing);
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
      balanceByAccountId: new DataLoader((ids) => balancesOf(dataSource, ids)),
      limitByAccountId: new DataLoader((ids) => limitsOf(dataSource, ids)),
      userLimitsByAccountId: new DataLoader((ids) => userLimitsOf(dataSource, ids)),
      userLimitByMembership: new DataLoader((keys) => userLimitsOfMemberships(dataSource, keys)),
      paymentMethodsByAccountId: new DataLoader((ids) => paymentMethodsOf(dataSource, ids)),
      profileByAccountId: new DataLoader((ids) => profilesOf(dataSource, ids)),
      invoiceLinesByInvoiceId: new DataLoader((ids) => linesOfInvoices(dataSource, ids)),
    },
  };
}
