export { WebhookDispatcher, startWebhookDispatcher, type WebhookDispatcherOptions } from './dispatcher';
export { type WebhookContext } from './resolvers';
export { WebhookService } from './webhook-service';
