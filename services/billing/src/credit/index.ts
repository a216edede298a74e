import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { registerReservationMetrics } from './metrics';
import { resolvers } from './resolvers';
import { CreditService, reserveInput } from './service';

export const creditModule: SubgraphModule = {
  name: 'credit',
  typeDefs: readTypeDefs(__dirname, 'credit.graphql'),
  resolvers,
  permissions,
  metrics: registerReservationMetrics,
  // The send path's reservation, once per send, without GraphQL (InternalCall); the same service call as the reserveCredit mutation.
  internalCalls: {
    reserveCredit: ({ context, dataSource, body }) => new CreditService(dataSource, (id) => context.access.chains.load(id)).reserve(reserveInput(body.input)),
  },
};
