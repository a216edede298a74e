import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Contacts, groups, opt-outs and CSV import (SPEC M1, M5). */
export const contactsModule: SubgraphModule = { name: 'contacts', typeDefs: readTypeDefs(__dirname, 'contacts.graphql'), resolvers, permissions };
