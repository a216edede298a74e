import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createMessagingContext, type MessagingContext } from './context';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { withWebhooks } from './webhooks';
import { mergeTypeMaps, reportingPermissions, reportingResolvers, reportingRoutes, withReportingContext } from './reporting';
import { featurePermissions, featureResolvers, featureRoutes, withFeaturesContext } from './features';

export { createMessagingDataSource, SCHEMA as MESSAGING_SCHEMA } from './data-source';
export { seedMessagingDemo } from './seed';
export { startWebhookDispatcher, withWebhookDispatcher, WebhookDispatcher } from './webhooks';
export { startMessagingBackgroundJobs, createDeliveryWorker, DeliveryWorker, runDeliveryLoop } from './pipeline/worker';
export { countSmsParts } from './sms-encoding';
export { nextAllowedInstant, localDate } from './sending-window';
export { applyUsage, rebuildUsage, type UsageChange } from './reporting';
export { readMessagingMailOutbox, INBOUND_EMAIL_PATH, EMAIL_TO_SMS_SECRET_HEADER } from './features';

export const messagingSubgraph = withWebhooks<MessagingContext>({
  name: 'messaging',
  serviceDir: path.join(__dirname, '..'),
  resolvers: mergeTypeMaps(mergeTypeMaps(resolvers, reportingResolvers), featureResolvers) as SubgraphDefinition<MessagingContext>['resolvers'],
  permissions: mergeTypeMaps(mergeTypeMaps(permissions, reportingPermissions), featurePermissions),
  createContext: withFeaturesContext(withReportingContext(createMessagingContext)),
  httpRoutes: (dataSource, config, logger) => ({ ...reportingRoutes(dataSource, config, logger), ...featureRoutes(dataSource, config, logger) }),
});
