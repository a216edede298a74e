import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export const topUpsModule: SubgraphModule = { name: 'top-ups', typeDefs: readTypeDefs(__dirname, 'top-ups.graphql'), resolvers, permissions };
