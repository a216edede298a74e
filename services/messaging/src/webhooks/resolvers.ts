import type { Resolvers } from '../__generated__/resolvers-types';
import { WebhookService } from './service';

export const webhookResolvers: Resolvers = {
  Query: {
    webhookEventTypes: () => WebhookService.eventTypes(),
    webhookEndpoints: (_, args, ctx) => ctx.webhooks.list(args.accountId, args),
    webhookEndpoint: (_, args, ctx) => ctx.webhooks.get(args.id),
  },
  Mutation: {
    createWebhookEndpoint: (_, args, ctx) => ctx.webhooks.create(args.input),
    updateWebhookEndpoint: (_, args, ctx) => ctx.webhooks.update(args.id, args.input),
    rotateWebhookSecret: (_, args, ctx) => ctx.webhooks.rotateSecret(args.id, args.overlapSeconds),
    disableWebhookEndpoint: (_, args, ctx) => ctx.webhooks.setEnabled(args.id, false),
    enableWebhookEndpoint: (_, args, ctx) => ctx.webhooks.setEnabled(args.id, true),
    deleteWebhookEndpoint: (_, args, ctx) => ctx.webhooks.delete(args.id),
    replayWebhookDelivery: (_, args, ctx) => ctx.webhooks.replay(args.id),
  },
  WebhookEndpoint: {
    deliveries: (row, args, ctx) => ctx.webhooks.deliveries(row, args),
  },
  WebhookDelivery: {
    webhookId: (row) => row.eventId,
    nextAttemptAt: (row) => (row.status === 'PENDING' ? row.nextAttemptAt : null),
    attempts: (row, args, ctx) => ctx.webhooks.attempts(row, args),
  },
  WebhookAttempt: {
    number: (row) => row.attemptNumber,
    succeeded: (row) => row.outcome === 'SUCCEEDED',
  },
};
