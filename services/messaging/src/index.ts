import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createMessagingContext, type MessagingContext } from './context';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { createMessagingDataSource, SCHEMA as MESSAGING_SCHEMA } from './data-source';
export { seedMessagingDemo } from './seed';

export const messagingSubgraph: SubgraphDefinition<MessagingContext> = {
  name: 'messaging',
  serviceDir: path.join(__dirname, '..'),
  resolvers: resolvers as SubgraphDefinition<MessagingContext>['resolvers'],
  permissions,
  createContext: createMessagingContext,
};
