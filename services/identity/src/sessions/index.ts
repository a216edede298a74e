import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Sign-in, sessions, the viewer and account switching (SPEC I1–I3, the login throttle). */
export const sessionsModule: SubgraphModule = { name: 'sessions', typeDefs: readTypeDefs(__dirname, 'sessions.graphql'), resolvers, permissions };
