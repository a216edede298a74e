import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Members, roles, permissions, limits and authority (SPEC I2–I6). */
export const membershipsModule: SubgraphModule = { name: 'memberships', typeDefs: readTypeDefs(__dirname, 'memberships.graphql'), resolvers, permissions };
