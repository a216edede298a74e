import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** The operator's side of customer trees: onboarding and account status (SPEC O2, O3). */
export const customersModule: SubgraphModule = { name: 'customers', typeDefs: readTypeDefs(__dirname, 'customers.graphql'), resolvers, permissions };
