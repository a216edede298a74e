import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createMessagingContext, type MessagingContext } from './context';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { mergeTypeMaps, reportingPermissions, reportingResolvers, reportingRoutes, withReportingContext } from './reporting';

export { createMessagingDataSource, SCHEMA as MESSAGING_SCHEMA } from './data-source';
export { seedMessagingDemo } from './seed';
export { applyUsage, rebuildUsage, type UsageChange } from './reporting';

export const messagingSubgraph: SubgraphDefinition<MessagingContext> = {
  name: 'messaging',
  serviceDir: path.join(__dirname, '..'),
  resolvers: mergeTypeMaps(resolvers, reportingResolvers) as SubgraphDefinition<MessagingContext>['resolvers'],
  permissions: mergeTypeMaps(permissions, reportingPermissions),
  createContext: withReportingContext(createMessagingContext),
  httpRoutes: reportingRoutes,
};
