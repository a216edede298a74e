import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Message templates with contact placeholders, shared down the tree on request (SPEC M6). */
export const templatesModule: SubgraphModule = { name: 'templates', typeDefs: readTypeDefs(__dirname, 'templates.graphql'), resolvers, permissions };
