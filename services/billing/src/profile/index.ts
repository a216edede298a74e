import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export const profileModule: SubgraphModule = { name: 'profile', typeDefs: readTypeDefs(__dirname, 'profile.graphql'), resolvers, permissions };
