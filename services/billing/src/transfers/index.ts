import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export const transfersModule: SubgraphModule = { name: 'transfers', typeDefs: readTypeDefs(__dirname, 'transfers.graphql'), resolvers, permissions };
