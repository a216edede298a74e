import { readTypeDefs, type SubgraphModule } from '@platform/server';
import { webhookPermissions } from './permissions';
import { registerWebhookMetrics } from './metrics';
import { webhookResolvers } from './resolvers';

export { WebhookDispatcher, startWebhookDispatcher, type WebhookDispatcherOptions } from './dispatcher';
export { WebhookService } from './service';

export const webhooksModule: SubgraphModule = {
  name: 'webhooks',
  typeDefs: readTypeDefs(__dirname, 'webhooks.graphql'),
  resolvers: webhookResolvers,
  permissions: webhookPermissions,
  metrics: registerWebhookMetrics,
};
