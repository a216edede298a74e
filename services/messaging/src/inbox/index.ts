import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Inbound messages threaded into conversations, replies and opt-out keywords (SPEC M4, M10). */
export const inboxModule: SubgraphModule = { name: 'inbox', typeDefs: readTypeDefs(__dirname, 'inbox.graphql'), resolvers, permissions };
