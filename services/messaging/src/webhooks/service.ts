import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { mutate, type AuditedChange } from '@platform/audit';
import type { AccountChain, SecretBox } from '@platform/authz';
import { pageRequest, toConnection, type PageArguments, type Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import { EVENT_TYPES, isEventType } from '@platform/events';
import type { SubgraphRequestContext } from '@platform/server';
import type { CreateWebhookEndpointInput, UpdateWebhookEndpointInput, WebhookDeliveryStatus } from '../__generated__/resolvers-types';
import { SCHEMA } from '../data-source';
import { NUMBER_CARRYING_EVENT_TYPES, requireSeesNumbers } from '../access/access';
import { nestedPageLoader } from '../nested-pages';
import { generateWebhookSecret, webhookSecretBox } from './signing';
import {
  attemptPages,
  deleteEndpoint,
  deliveryPages,
  endpointIdOfDelivery,
  endpointsOfAccount,
  findDelivery,
  findEndpoint,
  insertEndpoint,
  replaceEndpointSecret,
  rescheduleDelivery,
  setEndpointStatus,
  updateEndpoint,
  type DeliveryRow,
  type EndpointRow,
} from './store';
import { assertRegistrableUrl, systemResolver, type HostResolver } from './url-policy';

/** The fields of an endpoint the activity log records (never a secret). */
const auditView = (row: EndpointRow) => ({
  url: row.url,
  eventTypes: row.eventTypes,
  includeSubAccounts: row.includeSubAccounts,
  status: row.status,
  description: row.description,
});

/** Webhook endpoint management (SPEC M10), for callers with the `webhooks` permission on the endpoint's account. */
export class WebhookService {
  private readonly secrets: SecretBox;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ctx: SubgraphRequestContext,
    private readonly resolver: HostResolver = systemResolver,
  ) {
    this.secrets = webhookSecretBox(ctx.config.webhooks.encryptionKey);
  }

  private get policy() {
    return { production: this.ctx.config.isProduction, allowLoopback: this.ctx.config.webhooks.allowLoopbackUrls };
  }

  private validateEventTypes(types: readonly string[]): string[] {
    const unique = [...new Set(types.map((t) => t.trim()))];
    if (unique.length === 0) throw errors.badInput('eventTypes must name at least one event type', 'eventTypes');
    const unknown = unique.filter((t) => !isEventType(t));
    if (unknown.length) throw errors.badInput(`Unknown event types: ${unknown.join(', ')} (see webhookEventTypes)`, 'eventTypes');
    return unique;
  }

  private validateDescription(description: string | null | undefined): string | null {
    if (description === undefined || description === null) return null;
    const trimmed = description.trim();
    if (trimmed.length > 500) throw errors.badInput('description must be at most 500 characters', 'description');
    return trimmed || null;
  }

  /**
   * The endpoint and its account chain, if the caller holds `webhooks` there. Without it the endpoint
   * does not exist for the caller: unknown, invisible and not permitted answer the same `notFound`
   * (of the endpoint, or of the delivery the caller named), so ids cannot be probed.
   */
  private async requireEndpoint(
    id: string,
    db: Sql = this.dataSource,
    lock = false,
    notFound = () => errors.notFound('Webhook endpoint'),
  ): Promise<{ row: EndpointRow; chain: AccountChain }> {
    assertId(id, 'id');
    const row = await findEndpoint(db, id, lock);
    if (!row || !(await this.ctx.access.can(row.accountId, 'webhooks'))) throw notFound();
    const chain = await this.ctx.access.require(row.accountId, 'webhooks');
    return { row, chain };
  }

  /**
   * An endpoint of an event type that carries phone numbers sends them out in full: only for callers
   * who see them (I6), on the account and, when it includes sub-accounts, on every sub-account where
   * another membership of the caller narrows what they see.
   */
  private async requireMaySubscribe(accountId: string, eventTypes: readonly string[], includeSubAccounts: boolean): Promise<void> {
    const carrying = eventTypes.filter((t) => (NUMBER_CARRYING_EVENT_TYPES as readonly string[]).includes(t));
    if (carrying.length === 0) return;
    const what = `a webhook endpoint of ${carrying.join(', ')}`;
    await requireSeesNumbers(this.ctx, accountId, what);
    if (!includeSubAccounts) return;
    const below = (await this.ctx.access.grants()).filter((g) => g.accountId !== accountId && g.accountPath.includes(accountId));
    for (const grant of below) await requireSeesNumbers(this.ctx, grant.accountId, what);
  }

  /** One audited change of the endpoint `endpointId` on `chain`'s account (SPEC I9). */
  private change<T>(chain: AccountChain, action: string, endpointId: string, work: (tx: Sql) => Promise<Omit<AuditedChange<T>, 'targetType' | 'targetId'>>): Promise<T> {
    return mutate({ dataSource: this.dataSource, schema: SCHEMA, principal: this.ctx.principal, chain }, action, async (tx) => ({
      ...(await work(tx)),
      targetType: 'WebhookEndpoint',
      targetId: endpointId,
    }));
  }

  private requireOpen(chain: AccountChain): void {
    if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account is closed');
  }

  async list(accountId: string, args: PageArguments) {
    const chain = await this.ctx.access.require(accountId, 'webhooks');
    const page = pageRequest(args, { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] });
    const rows = await endpointsOfAccount(this.dataSource, chain.id, page);
    return toConnection(rows, page, (row) => [row.createdAtKey, row.id]);
  }

  async get(id: string): Promise<EndpointRow> {
    return (await this.requireEndpoint(id)).row;
  }

  async create(input: CreateWebhookEndpointInput) {
    const chain = await this.ctx.access.require(input.accountId, 'webhooks');
    this.requireOpen(chain);
    const eventTypes = this.validateEventTypes(input.eventTypes);
    await this.requireMaySubscribe(chain.id, eventTypes, input.includeSubAccounts ?? false);
    const description = this.validateDescription(input.description);
    const url = await assertRegistrableUrl(input.url, this.policy, this.resolver);
    const id = crypto.randomUUID();
    const secret = generateWebhookSecret();
    const endpoint = await this.change(chain, 'createWebhookEndpoint', id, async (tx) => {
      const row = await insertEndpoint(tx, {
        id,
        accountId: chain.id,
        url,
        description,
        eventTypes,
        includeSubAccounts: input.includeSubAccounts ?? false,
        secretSealed: this.secrets.seal(secret, id),
        createdBy: `${this.ctx.principal.kind}:${this.ctx.principal.id}`,
      });
      return { result: row, before: null, after: auditView(row) };
    });
    return { endpoint, secret };
  }

  async update(id: string, input: UpdateWebhookEndpointInput) {
    const { chain, row: current } = await this.requireEndpoint(id);
    this.requireOpen(chain);
    const eventTypes = input.eventTypes ? this.validateEventTypes(input.eventTypes) : null;
    // Any change to such an endpoint (its URL above all) decides where the numbers go.
    await this.requireMaySubscribe(chain.id, eventTypes ?? current.eventTypes, input.includeSubAccounts ?? current.includeSubAccounts);
    const url = input.url === undefined || input.url === null ? null : await assertRegistrableUrl(input.url, this.policy, this.resolver);
    const description = input.description === undefined ? undefined : this.validateDescription(input.description);
    return this.change(chain, 'updateWebhookEndpoint', id, async (tx) => {
      const { row: before } = await this.requireEndpoint(id, tx, true);
      const row = await updateEndpoint(tx, id, { url, eventTypes, includeSubAccounts: input.includeSubAccounts ?? null, description });
      return { result: row, before: auditView(before), after: auditView(row) };
    });
  }

  async rotateSecret(id: string, overlapSeconds: number | null | undefined) {
    const overlap = overlapSeconds ?? this.ctx.config.webhooks.rotationOverlapSeconds;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 24 * 3600) throw errors.badInput('overlapSeconds must be between 0 and 2592000', 'overlapSeconds');
    const { chain } = await this.requireEndpoint(id);
    this.requireOpen(chain);
    const secret = generateWebhookSecret();
    const endpoint = await this.change(chain, 'rotateWebhookSecret', id, async (tx) => {
      await this.requireEndpoint(id, tx, true);
      const row = await replaceEndpointSecret(tx, id, this.secrets.seal(secret, id), overlap);
      return { result: row, before: null, after: { overlapSeconds: overlap } };
    });
    return { endpoint, secret };
  }

  async setEnabled(id: string, enabled: boolean): Promise<EndpointRow> {
    const { chain } = await this.requireEndpoint(id);
    if (enabled) this.requireOpen(chain);
    return this.change(chain, enabled ? 'enableWebhookEndpoint' : 'disableWebhookEndpoint', id, async (tx) => {
      const { row: before } = await this.requireEndpoint(id, tx, true);
      const result = (await setEndpointStatus(tx, id, enabled)) ?? before;
      return { result, before: { status: before.status }, after: { status: result.status } };
    });
  }

  async delete(id: string): Promise<boolean> {
    const { chain } = await this.requireEndpoint(id);
    return this.change(chain, 'deleteWebhookEndpoint', id, async (tx) => {
      const { row } = await this.requireEndpoint(id, tx, true);
      await deleteEndpoint(tx, id);
      return { result: true, before: auditView(row), after: null };
    });
  }

  /** A page of the endpoint's deliveries; the endpoints of one request asking for the same page are read in one statement. */
  async deliveries(endpoint: EndpointRow, args: PageArguments & { status?: WebhookDeliveryStatus | null }) {
    const page = pageRequest(args, { defaultSize: 20, maxSize: 100, keyShape: ['string', 'string'] });
    const status = args.status ?? null;
    const loader = nestedPageLoader(this, ['webhookEndpoint.deliveries', status], page, (e: EndpointRow) => e.id, (endpoints) => deliveryPages(this.dataSource, endpoints.map((e) => e.id), status, page));
    return toConnection(await loader.load(endpoint), page, (row) => [row.createdAtKey, row.id]);
  }

  /** A page of the delivery's attempts; the deliveries of one request asking for the same page are read in one statement. */
  async attempts(delivery: DeliveryRow, args: PageArguments) {
    const page = pageRequest(args, { defaultSize: 20, maxSize: 100, keyShape: ['number', 'string'] });
    const loader = nestedPageLoader(this, ['webhookDelivery.attempts'], page, (d: DeliveryRow) => d.id, (deliveries) => attemptPages(this.dataSource, deliveries.map((d) => d.id), page));
    return toConnection(await loader.load(delivery), page, (row) => [row.attemptNumber, row.idKey]);
  }

  /** Sends a delivery again with the same webhook-id and a fresh retry schedule. */
  async replay(deliveryId: string): Promise<DeliveryRow> {
    assertId(deliveryId, 'id');
    const notFound = () => errors.notFound('Webhook delivery');
    const endpointId = await endpointIdOfDelivery(this.dataSource, deliveryId);
    if (!endpointId) throw notFound();
    const { chain } = await this.requireEndpoint(endpointId, this.dataSource, false, notFound);
    return this.change(chain, 'replayWebhookDelivery', endpointId, async (tx) => {
      const { row: endpoint } = await this.requireEndpoint(endpointId, tx, true, notFound);
      if (endpoint.status !== 'ACTIVE') throw new AppError('INVALID_STATE', 'The endpoint is disabled; enable it before replaying');
      await rescheduleDelivery(tx, deliveryId);
      const row = (await findDelivery(tx, deliveryId))!;
      return { result: row, before: null, after: { deliveryId, webhookId: row.eventId } };
    });
  }

  static eventTypes() {
    return Object.entries(EVENT_TYPES).map(([type, description]) => ({ type, description }));
  }
}
