import { allow, isAuthenticated, isOperatorWith } from '@platform/authz';
import { onParent } from '../account-rules';

export const permissions = {
  Query: { invoice: isAuthenticated },
  // SPEC O3: invoicing and payments are the operator's (and the sweeper's and the provider's callback); customers read invoices.
  Mutation: { generateInvoice: isOperatorWith('finance'), issueInvoice: isOperatorWith('finance'), markInvoicePaid: isOperatorWith('finance') },
  Account: { invoices: onParent },
  Invoice: allow,
  InvoiceConnection: allow,
  InvoiceEdge: allow,
  InvoiceLine: allow,
  InvoiceDocument: allow,
  InvoiceDownload: allow,
};
