import { defineSubgraph } from '@platform/server';
import { automationModule } from './automation';
import { contactImportsModule } from './contact-imports';
import { contactsModule } from './contacts';
import { createMessagingContext } from './context';
import { createMessagingDataSource, SCHEMA } from './data-source';
import { emailToSmsModule } from './email-to-sms';
import { inboxModule } from './inbox';
import { startMessagingBackgroundJobs } from './pipeline/worker';
import { reportingModule } from './reporting';
import { seedMessagingDemo } from './seed';
import { senderIdsModule } from './sender-ids';
import { sendingModule } from './sending';
import { shortLinksModule } from './short-links';
import { templatesModule } from './templates';
import { startWebhookDispatcher, webhooksModule } from './webhooks';

export { WebhookDispatcher, startWebhookDispatcher } from './webhooks';
export { createDeliveryWorker, DeliveryWorker, runDeliveryLoop } from './pipeline/worker';
export { countSmsParts } from './sending/sms-encoding';
export { nextAllowedInstant, localDate } from './sending/sending-window';
export { applyUsage, applyUsageChanges, drainUsageOutbox, rebuildUsage, type UsageChange } from './reporting';
export { INBOUND_EMAIL_PATH, EMAIL_TO_SMS_SECRET_HEADER } from './email-to-sms';
export { CONTACT_IMPORT_PATH } from './contact-imports';

export const service = defineSubgraph({
  name: 'messaging',
  databaseSchema: SCHEMA,
  modules: [
    contactsModule,
    contactImportsModule,
    senderIdsModule,
    templatesModule,
    sendingModule,
    shortLinksModule,
    inboxModule,
    emailToSmsModule,
    automationModule,
    reportingModule,
    webhooksModule,
  ],
  createDataSource: createMessagingDataSource,
  createContext: createMessagingContext,
  seed: seedMessagingDemo,
  calls: ['billing'],
  jobs: [
    { name: 'delivery-worker', start: ({ dataSource, config, logger, metrics }) => startMessagingBackgroundJobs(dataSource, config, logger, metrics) },
    { name: 'webhook-dispatcher', start: ({ dataSource, config, logger, metrics }) => startWebhookDispatcher(dataSource, config, logger, metrics) },
  ],
});
