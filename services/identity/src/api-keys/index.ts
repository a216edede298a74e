import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** API keys, partner apps and trusted-document manifests (SPEC I7, G3). */
export const apiKeysModule: SubgraphModule = { name: 'api-keys', typeDefs: readTypeDefs(__dirname, 'api-keys.graphql'), resolvers, permissions };
