import type { SubgraphModule } from '@platform/server';
import { readTypeDefs } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Inherited settings (SPEC H5). */
export const settingsModule: SubgraphModule = { name: 'settings', typeDefs: readTypeDefs(__dirname, 'settings.graphql'), resolvers, permissions };
