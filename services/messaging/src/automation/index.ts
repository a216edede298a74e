import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

/** Automation rules on inbound messages: auto-replies and forwards by email or webhook (SPEC M11). */
export const automationModule: SubgraphModule = { name: 'automation', typeDefs: readTypeDefs(__dirname, 'automation.graphql'), resolvers, permissions };
