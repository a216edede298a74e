import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { PAYMENT_CALLBACK_PATH, paymentCallbackRoute } from './payment-callback';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { PAYMENT_CALLBACK_PATH } from './payment-callback';

/** Invoices (SPEC B6) and the payment provider's signed callback `POST /billing/payment-callback` (SPEC O3). */
export const invoicesModule: SubgraphModule = {
  name: 'invoices',
  typeDefs: readTypeDefs(__dirname, 'invoices.graphql'),
  resolvers,
  permissions,
  routes: ({ dataSource, config, logger }) => ({ [PAYMENT_CALLBACK_PATH]: paymentCallbackRoute(dataSource, config, logger) }),
};
