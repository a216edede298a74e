import type { SubgraphModule } from '@platform/server';
import { readTypeDefs } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** The tree: accounts, their structure and visibility (SPEC H1–H4, H6, H7). */
export const accountsModule: SubgraphModule = { name: 'accounts', typeDefs: readTypeDefs(__dirname, 'accounts.graphql'), resolvers, permissions };
