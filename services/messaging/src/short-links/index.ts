import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { SHORT_LINK_ROUTE, shortLinkRoute } from './route';

/** Trackable short links of messages and their clicks (SPEC M8): `GET /l/<code>`. */
export const shortLinksModule: SubgraphModule = {
  name: 'short-links',
  typeDefs: readTypeDefs(__dirname, 'short-links.graphql'),
  resolvers,
  permissions,
  routes: ({ dataSource }) => ({ [SHORT_LINK_ROUTE]: shortLinkRoute(dataSource) }),
};
