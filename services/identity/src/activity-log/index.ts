import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** The activityLog query over every schema's log (SPEC I9). */
export const activityLogModule: SubgraphModule = { name: 'activity-log', typeDefs: readTypeDefs(__dirname, 'activity-log.graphql'), resolvers, permissions };
