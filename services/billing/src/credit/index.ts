import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { registerReservationMetrics } from './metrics';
import { resolvers } from './resolvers';
import { paymentProviderFor } from '../top-ups/payment-provider';
import { TopUpService } from '../top-ups/service';
import { captureCredits, capturesAsked } from './capture-credits';
import { CreditService, reserveInput } from './service';

export const creditModule: SubgraphModule = {
  name: 'credit',
  typeDefs: readTypeDefs(__dirname, 'credit.graphql'),
  resolvers,
  permissions,
  metrics: registerReservationMetrics,
  // The send path's reservation (once per send) and the worker's captures (once per round) without GraphQL (InternalCall): the same service calls as the reserveCredit and captureCredits mutations.
  internalCalls: {
    reserveCredit: ({ context, dataSource, body }) => new CreditService(dataSource, (id) => context.access.chains.load(id)).reserve(reserveInput(body.input)),
    captureCredits: ({ context, dataSource, body }) =>
      captureCredits(
        new CreditService(dataSource, (id) => context.access.chains.load(id)),
        capturesAsked(body.captures),
        (accountId) => new TopUpService(dataSource, paymentProviderFor(context.config), context.config.billing).autoTopUp(accountId),
        context.logger,
      ),
  },
};
