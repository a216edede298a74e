import { Account, AccountBilling } from './account';
import { Mutation } from './mutation';
import { BillingProfile, CreditLimit, Invoice, InvoiceLine, LedgerEntry, PaymentMethod, Query, TopUp, Transfer, UserCredit } from './types';

export const resolvers = {
  Query,
  Mutation,
  Account,
  AccountBilling,
  CreditLimit,
  UserCredit,
  LedgerEntry,
  Transfer,
  TopUp,
  BillingProfile,
  PaymentMethod,
  Invoice,
  InvoiceLine,
};
