import type { DataSource } from 'typeorm';
import { defineSubgraph, readTypeDefs, type SubgraphRequestContext } from '@platform/server';
import { automationModule } from './automation';
import { contactsModule } from './contacts';
import { createMessagingContext } from './context';
import { createMessagingDataSource, SCHEMA } from './data-source';
import { emailToSmsModule } from './email-to-sms';
import { inboxModule } from './inbox';
import { startMessagingBackgroundJobs } from './pipeline/worker';
import { seedMessagingDemo } from './seed';
import { senderIdsModule } from './sender-ids';
import { sendingModule } from './sending';
import { shortLinksModule } from './short-links';
import { templatesModule } from './templates';
import path from 'node:path';
import { reportingPermissions, reportingResolvers, reportingRoutes } from './reporting';
import { UsageLoaders } from './reporting/usage-loader';
import { startWebhookDispatcher } from './webhooks';
import { webhookPermissions } from './webhooks/permissions';
import { webhookResolvers } from './webhooks/resolvers';
import { WebhookService } from './webhooks/webhook-service';

export { WebhookDispatcher, startWebhookDispatcher } from './webhooks';
export { createDeliveryWorker, DeliveryWorker, runDeliveryLoop } from './pipeline/worker';
export { countSmsParts } from './sending/sms-encoding';
export { nextAllowedInstant, localDate } from './sending/sending-window';
export { applyUsage, applyUsageChanges, rebuildUsage, type UsageChange } from './reporting';
export { INBOUND_EMAIL_PATH, EMAIL_TO_SMS_SECRET_HEADER } from './email-to-sms';

const serviceDir = path.join(__dirname, '..');

function createContext(base: SubgraphRequestContext, dataSource: DataSource) {
  return {
    ...createMessagingContext(base, dataSource),
    usage: new UsageLoaders(base.access, dataSource),
    webhooks: new WebhookService(dataSource, base),
  };
}

export const service = defineSubgraph({
  name: 'messaging',
  databaseSchema: SCHEMA,
  modules: [
    contactsModule,
    senderIdsModule,
    templatesModule,
    sendingModule,
    shortLinksModule,
    inboxModule,
    emailToSmsModule,
    automationModule,
    { name: 'reporting', typeDefs: readTypeDefs(serviceDir, 'reporting.graphql'), resolvers: reportingResolvers, permissions: reportingPermissions, routes: ({ dataSource, config, logger }) => reportingRoutes(dataSource, config, logger) },
    { name: 'webhooks', typeDefs: readTypeDefs(serviceDir, 'webhooks.graphql'), resolvers: webhookResolvers, permissions: webhookPermissions },
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
