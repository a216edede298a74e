import type { SubgraphRequestContext } from '@platform/server';
import { WebhookService } from './service';
import type { AttemptRow, DeliveryRow, EndpointRow } from './store';

export interface WebhookContext extends SubgraphRequestContext {
  webhooks: WebhookService;
}

const iso = (value: Date | string | null | undefined) => (value ? new Date(value).toISOString() : null);

export const webhookResolvers = {
  Query: {
    webhookEventTypes: () => WebhookService.eventTypes(),
    webhookEndpoints: (_: unknown, args: { accountId: string }, ctx: WebhookContext) => ctx.webhooks.list(args.accountId),
    webhookEndpoint: (_: unknown, args: { id: string }, ctx: WebhookContext) => ctx.webhooks.get(args.id),
  },
  Mutation: {
    createWebhookEndpoint: (_: unknown, args: { input: Parameters<WebhookService['create']>[0] }, ctx: WebhookContext) => ctx.webhooks.create(args.input),
    updateWebhookEndpoint: (_: unknown, args: { id: string; input: Parameters<WebhookService['update']>[1] }, ctx: WebhookContext) =>
      ctx.webhooks.update(args.id, args.input),
    rotateWebhookSecret: (_: unknown, args: { id: string; overlapSeconds?: number | null }, ctx: WebhookContext) =>
      ctx.webhooks.rotateSecret(args.id, args.overlapSeconds),
    disableWebhookEndpoint: (_: unknown, args: { id: string }, ctx: WebhookContext) => ctx.webhooks.setEnabled(args.id, false),
    enableWebhookEndpoint: (_: unknown, args: { id: string }, ctx: WebhookContext) => ctx.webhooks.setEnabled(args.id, true),
    deleteWebhookEndpoint: (_: unknown, args: { id: string }, ctx: WebhookContext) => ctx.webhooks.delete(args.id),
    replayWebhookDelivery: (_: unknown, args: { id: string }, ctx: WebhookContext) => ctx.webhooks.replay(args.id),
  },
  WebhookEndpoint: {
    accountId: (row: EndpointRow) => row.account_id,
    eventTypes: (row: EndpointRow) => row.event_types,
    includeSubAccounts: (row: EndpointRow) => row.include_sub_accounts,
    disabledReason: (row: EndpointRow) => row.disabled_reason,
    disabledAt: (row: EndpointRow) => iso(row.disabled_at),
    secretRotatedAt: (row: EndpointRow) => iso(row.secret_rotated_at),
    previousSecretExpiresAt: (row: EndpointRow) => iso(row.previous_secret_expires_at),
    lastSuccessAt: (row: EndpointRow) => iso(row.last_success_at),
    createdAt: (row: EndpointRow) => iso(row.created_at),
    deliveries: (row: EndpointRow, args: { first: number; status?: string | null }, ctx: WebhookContext) => ctx.webhooks.deliveries(row.id, args.first, args.status),
  },
  WebhookDelivery: {
    webhookId: (row: DeliveryRow) => row.event_id,
    eventType: (row: DeliveryRow) => row.event_type,
    eventAccountId: (row: DeliveryRow) => row.event_account_id,
    attemptCount: (row: DeliveryRow) => row.attempt_count,
    nextAttemptAt: (row: DeliveryRow) => (row.status === 'PENDING' ? iso(row.next_attempt_at) : null),
    lastResponseStatus: (row: DeliveryRow) => row.last_response_status,
    lastError: (row: DeliveryRow) => row.last_error,
    createdAt: (row: DeliveryRow) => iso(row.created_at),
    completedAt: (row: DeliveryRow) => iso(row.completed_at),
    attempts: (row: DeliveryRow, _: unknown, ctx: WebhookContext) => ctx.webhooks.attemptsByDeliveryId.load(row.id),
  },
  WebhookAttempt: {
    number: (row: AttemptRow) => row.attempt_number,
    attemptedAt: (row: AttemptRow) => iso(row.attempted_at),
    latencyMs: (row: AttemptRow) => row.latency_ms,
    responseStatus: (row: AttemptRow) => row.response_status,
    succeeded: (row: AttemptRow) => row.outcome === 'SUCCEEDED',
  },
};
