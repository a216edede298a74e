import path from 'node:path';
import DataLoader from 'dataloader';
import type { DataSource } from 'typeorm';
import { defineSubgraph, readTypeDefs, type SubgraphRequestContext } from '@platform/server';
import { createMessagingContext } from './context';
import { createMessagingDataSource, SCHEMA } from './data-source';
import { featurePermissions, featureResolvers, featureRoutes } from './features';
import { linksOfMessages } from './features/short-links';
import { permissions } from './permissions';
import { startMessagingBackgroundJobs } from './pipeline/worker';
import { reportingModule, UsageLoaders } from './reporting';
import { resolvers } from './resolvers';
import { seedMessagingDemo } from './seed';
import { startWebhookDispatcher, WebhookService, webhooksModule } from './webhooks';

export { WebhookDispatcher, startWebhookDispatcher } from './webhooks';
export { createDeliveryWorker, DeliveryWorker, runDeliveryLoop } from './pipeline/worker';
export { countSmsParts } from './sms-encoding';
export { nextAllowedInstant, localDate } from './sending-window';
export { applyUsage, applyUsageChanges, rebuildUsage, type UsageChange } from './reporting';
export { INBOUND_EMAIL_PATH, EMAIL_TO_SMS_SECRET_HEADER } from './features';

const serviceDir = path.join(__dirname, '..');

function createContext(base: SubgraphRequestContext, dataSource: DataSource) {
  return {
    ...createMessagingContext(base, dataSource),
    dataSource,
    usage: new UsageLoaders(base.access, dataSource),
    features: { linksByMessageId: new DataLoader((ids: readonly string[]) => linksOfMessages(dataSource, ids)) },
    webhooks: new WebhookService(dataSource, base),
  };
}

export const service = defineSubgraph({
  name: 'messaging',
  databaseSchema: SCHEMA,
  modules: [
    { name: 'messaging', typeDefs: readTypeDefs(serviceDir, 'schema.graphql'), resolvers, permissions },
    { name: 'features', typeDefs: readTypeDefs(serviceDir, 'features.graphql'), resolvers: featureResolvers, permissions: featurePermissions, routes: ({ dataSource, config, logger }) => featureRoutes(dataSource, config, logger) },
    reportingModule,
    webhooksModule,
  ],
  createDataSource: createMessagingDataSource,
  createContext,
  seed: seedMessagingDemo,
  calls: ['billing'],
  jobs: [
    { name: 'delivery-worker', start: ({ dataSource, config, logger }) => startMessagingBackgroundJobs(dataSource, config, logger) },
    { name: 'webhook-dispatcher', start: ({ dataSource, config, logger }) => startWebhookDispatcher(dataSource, config, logger) },
  ],
});
