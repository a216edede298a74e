import { allow, canOnAccount, isAuthenticated, isService } from '@platform/authz';

const onParent = canOnAccount('billing', (parent) => parent?.id);
const byArgAccount = canOnAccount('billing', (_parent, args) => args.accountId);
const byInputAccount = canOnAccount('billing', (_parent, args) => args.input?.accountId);
const byTransferSource = canOnAccount('billing', (_parent, args) => args.input?.fromAccountId);

/**
 * Mirrors the schema: every billing field needs `billing` on the account (or an ancestor);
 * invisible accounts answer NOT_FOUND. Rules that depend on stored data (the parent of a limited
 * account, the other side of a transfer, an invoice's account) are checked again by the services.
 */
export const permissions = {
  Query: { invoice: isAuthenticated },
  Mutation: {
    setBillingMode: byArgAccount,
    enableOwnBalance: byArgAccount,
    setCreditLimit: byArgAccount,
    setUserCreditLimit: byArgAccount,
    transferBalance: byTransferSource,
    transferCredit: byTransferSource,
    topUp: byInputAccount,
    setAutoTopUp: byArgAccount,
    setLowBalanceThreshold: byArgAccount,
    updateBillingProfile: byArgAccount,
    addPaymentMethod: byArgAccount,
    setDefaultPaymentMethod: byArgAccount,
    removePaymentMethod: byArgAccount,
    generateInvoice: byArgAccount,
    issueInvoice: isAuthenticated,
    markInvoicePaid: isAuthenticated,
    reserveCredit: isService,
    captureCredit: isService,
    releaseCredit: isService,
  },
  Account: {
    id: allow,
    balance: onParent,
    billing: onParent,
    userCredits: onParent,
    ledger: onParent,
    transfers: onParent,
    topUps: onParent,
    invoices: onParent,
    billingProfile: onParent,
    paymentMethods: onParent,
  },
  // Reached only through a guarded Account field, a guarded mutation or an access-checked invoice.
  AccountBilling: allow,
  CreditLimit: allow,
  AutoTopUp: allow,
  UserCredit: allow,
  LedgerEntry: allow,
  LedgerConnection: allow,
  Transfer: allow,
  TopUp: allow,
  BillingProfile: allow,
  BillingAddress: allow,
  PaymentMethod: allow,
  Invoice: allow,
  InvoiceLine: allow,
  InvoiceDocument: allow,
  CreditReservation: isService,
};
