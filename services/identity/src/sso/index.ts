import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Single sign-on with OIDC (SPEC I8). */
export const ssoModule: SubgraphModule = { name: 'sso', typeDefs: readTypeDefs(__dirname, 'sso.graphql'), resolvers, permissions };
