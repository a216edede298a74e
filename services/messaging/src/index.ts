import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createMessagingContext, type MessagingContext } from './context';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { withWebhooks } from './webhooks';
import { mergeTypeMaps, reportingPermissions, reportingResolvers, reportingRoutes, withReportingContext } from './reporting';

export { createMessagingDataSource, SCHEMA as MESSAGING_SCHEMA } from './data-source';
export { seedMessagingDemo } from './seed';
export { startWebhookDispatcher, withWebhookDispatcher, WebhookDispatcher } from './webhooks';
export { startMessagingBackgroundJobs, createDeliveryWorker, DeliveryWorker, runDeliveryLoop } from './pipeline/worker';
export { countSmsParts } from './sms-encoding';
export { nextAllowedInstant, localDate } from './sending-window';
export { applyUsage, rebuildUsage, type UsageChange } from './reporting';

export const messagingSubgraph = withWebhooks<MessagingContext>({
  name: 'messaging',
  serviceDir: path.join(__dirname, '..'),
  resolvers: mergeTypeMaps(resolvers, reportingResolvers) as SubgraphDefinition<MessagingContext>['resolvers'],
  permissions: mergeTypeMaps(permissions, reportingPermissions),
  createContext: withReportingContext(createMessagingContext),
  httpRoutes: reportingRoutes,
});
