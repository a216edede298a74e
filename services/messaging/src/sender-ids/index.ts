import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Sender IDs: dedicated numbers, alphanumeric tags, personal numbers, short codes (SPEC M7). */
export const senderIdsModule: SubgraphModule = { name: 'sender-ids', typeDefs: readTypeDefs(__dirname, 'sender-ids.graphql'), resolvers, permissions };
