import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export const invoicesModule: SubgraphModule = { name: 'invoices', typeDefs: readTypeDefs(__dirname, 'invoices.graphql'), resolvers, permissions };
