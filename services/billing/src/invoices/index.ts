import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { INVOICE_DOWNLOAD_PATH, invoiceDownloadRoute } from './download';
import { PAYMENT_CALLBACK_PATH, paymentCallbackRoute } from './payment-callback';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { PAYMENT_CALLBACK_PATH } from './payment-callback';
export { INVOICE_DOWNLOAD_PATH } from './download';

/** Invoices (SPEC B6), their signed download links, and the payment provider's signed callback `POST /billing/payment-callback` (SPEC O3). */
export const invoicesModule: SubgraphModule = {
  name: 'invoices',
  typeDefs: readTypeDefs(__dirname, 'invoices.graphql'),
  resolvers,
  permissions,
  routes: ({ dataSource, config, logger }) => ({
    [PAYMENT_CALLBACK_PATH]: paymentCallbackRoute(dataSource, config, logger),
    [INVOICE_DOWNLOAD_PATH]: invoiceDownloadRoute(dataSource, config),
  }),
};
