import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { registerReservationMetrics } from './metrics';
import { resolvers } from './resolvers';

export const creditModule: SubgraphModule = { name: 'credit', typeDefs: readTypeDefs(__dirname, 'credit.graphql'), resolvers, permissions, metrics: registerReservationMetrics };
