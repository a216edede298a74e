import type { Resolvers } from '../__generated__/resolvers-types';
import { WebhookService } from './service';

export const webhookResolvers: Resolvers = {
  Query: {
    webhookEventTypes: () => WebhookService.eventTypes(),
    webhookEndpoints: (_, args, ctx) => ctx.webhooks.list(args.accountId),
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
    accountId: (row) => row.account_id,
    eventTypes: (row) => row.event_types,
    includeSubAccounts: (row) => row.include_sub_accounts,
    disabledReason: (row) => row.disabled_reason,
    disabledAt: (row) => row.disabled_at,
    secretRotatedAt: (row) => row.secret_rotated_at,
    previousSecretExpiresAt: (row) => row.previous_secret_expires_at,
    lastSuccessAt: (row) => row.last_success_at,
    createdAt: (row) => row.created_at,
    deliveries: (row, args, ctx) => ctx.webhooks.deliveries(row.id, args.first, args.status),
  },
  WebhookDelivery: {
    webhookId: (row) => row.event_id,
    eventType: (row) => row.event_type,
    eventAccountId: (row) => row.event_account_id,
    attemptCount: (row) => row.attempt_count,
    nextAttemptAt: (row) => (row.status === 'PENDING' ? row.next_attempt_at : null),
    lastResponseStatus: (row) => row.last_response_status,
    lastError: (row) => row.last_error,
    createdAt: (row) => row.created_at,
    completedAt: (row) => row.completed_at,
    attempts: (row, _, ctx) => ctx.webhooks.attemptsByDeliveryId.load(row.id),
  },
  WebhookAttempt: {
    number: (row) => row.attempt_number,
    attemptedAt: (row) => row.attempted_at,
    latencyMs: (row) => row.latency_ms,
    responseStatus: (row) => row.response_status,
    succeeded: (row) => row.outcome === 'SUCCEEDED',
  },
};
