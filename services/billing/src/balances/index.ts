import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { accountEntities, resolvers } from './resolvers';

export const balancesModule: SubgraphModule = { name: 'balances', typeDefs: readTypeDefs(__dirname, 'balances.graphql'), resolvers, entities: { Account: accountEntities }, permissions };
