import { allow, canOnAccount, isAuthenticated } from '@platform/authz';

/**
 * Endpoints are managed by holders of `webhooks` on their account (or an ancestor). Rules on an
 * endpoint or delivery id cannot be decided from the arguments: WebhookService loads the object and
 * requires `webhooks` on its account (unknown and invisible answer NOT_FOUND alike).
 */
export const webhookPermissions = {
  Query: {
    webhookEventTypes: isAuthenticated,
    webhookEndpoints: canOnAccount('webhooks', (_parent, args) => args.accountId),
    webhookEndpoint: isAuthenticated,
  },
  Mutation: {
    createWebhookEndpoint: canOnAccount('webhooks', (_parent, args) => args.input?.accountId),
    updateWebhookEndpoint: isAuthenticated,
    rotateWebhookSecret: isAuthenticated,
    disableWebhookEndpoint: isAuthenticated,
    enableWebhookEndpoint: isAuthenticated,
    deleteWebhookEndpoint: isAuthenticated,
    replayWebhookDelivery: isAuthenticated,
  },
  // Reached only through the guarded root fields above.
  WebhookEventType: allow,
  WebhookEndpoint: allow,
  WebhookEndpointWithSecret: allow,
  WebhookDelivery: allow,
  WebhookAttempt: allow,
  WebhookEndpointConnection: allow,
  WebhookEndpointEdge: allow,
  WebhookDeliveryConnection: allow,
  WebhookDeliveryEdge: allow,
  WebhookAttemptConnection: allow,
  WebhookAttemptEdge: allow,
};
