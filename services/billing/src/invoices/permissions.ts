import { allow, isAuthenticated } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

export const permissions = {
  Query: { invoice: isAuthenticated },
  Mutation: { generateInvoice: byArgAccount, issueInvoice: isAuthenticated, markInvoicePaid: isAuthenticated },
  Account: { invoices: onParent },
  Invoice: allow,
  InvoiceLine: allow,
  InvoiceDocument: allow,
};
