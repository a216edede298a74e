import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Invitations and guests (SPEC I4). */
export const invitationsModule: SubgraphModule = { name: 'invitations', typeDefs: readTypeDefs(__dirname, 'invitations.graphql'), resolvers, permissions };
