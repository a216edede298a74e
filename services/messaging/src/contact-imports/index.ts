import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { contactImportPermissions } from './permissions';
import { contactImportResolvers } from './resolvers';
import { contactImportRoute } from './route';
import { CONTACT_IMPORT_PATH } from './service';

export { CONTACT_IMPORT_PATH } from './service';

export const contactImportsModule: SubgraphModule = {
  name: 'contact-imports',
  typeDefs: readTypeDefs(__dirname, 'contact-imports.graphql'),
  resolvers: contactImportResolvers,
  permissions: contactImportPermissions,
  routes: ({ dataSource, config, logger }) => ({ [CONTACT_IMPORT_PATH]: contactImportRoute(dataSource, config, logger) }),
};
