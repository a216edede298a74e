import crypto from 'node:crypto';
import DataLoader from 'dataloader';
import type { DataSource, EntityManager } from 'typeorm';
import { appendActivity } from '@platform/audit';
import type { AccountChain } from '@platform/authz';
import { queryRows } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import { EVENT_TYPES, isEventType } from '@platform/events';
import type { SubgraphRequestContext } from '@platform/server';
import type { SecretBox } from '@platform/authz';
import { NUMBER_CARRYING_EVENT_TYPES, requireSeesNumbers } from '../access/access';
import { generateWebhookSecret, webhookSecretBox } from './signing';
import { assertRegistrableUrl, systemResolver, type HostResolver } from './url-policy';

export interface EndpointRow {
  id: string;
  account_id: string;
  url: string;
  description: string | null;
  event_types: string[];
  include_sub_accounts: boolean;
  status: 'ACTIVE' | 'DISABLED';
  disabled_reason: string | null;
  disabled_at: Date | null;
  secret_rotated_at: Date | null;
  previous_secret_expires_at: Date | null;
  last_success_at: Date | null;
  created_at: Date;
}

export interface DeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  event_type: string;
  event_account_id: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  attempt_count: number;
  next_attempt_at: Date;
  last_response_status: number | null;
  last_error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

export interface AttemptRow {
  delivery_id: string;
  attempt_number: number;
  attempted_at: Date;
  latency_ms: number;
  response_status: number | null;
  outcome: 'SUCCEEDED' | 'FAILED';
  error: string | null;
}

const ENDPOINT_COLUMNS = `id, account_id, url, description, event_types, include_sub_accounts, status, disabled_reason, disabled_at,
  secret_rotated_at, previous_secret_expires_at, last_success_at, created_at`;
const DELIVERY_COLUMNS = `d.id, d.event_id, d.endpoint_id, e.type AS event_type, e.account_id AS event_account_id, d.status, d.attempt_count,
  d.next_attempt_at, d.last_response_status, d.last_error, d.created_at, d.completed_at`;

/** The fields of an endpoint the activity log records (never a secret). */
const auditView = (row: EndpointRow) => ({
  url: row.url,
  eventTypes: row.event_types,
  includeSubAccounts: row.include_sub_accounts,
  status: row.status,
  description: row.description,
});

/** Webhook endpoint management (SPEC M10), for callers with the `webhooks` permission on the endpoint's account. */
export class WebhookService {
  private readonly secrets: SecretBox;
  readonly attemptsByDeliveryId: DataLoader<string, AttemptRow[]>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly ctx: SubgraphRequestContext,
    private readonly resolver: HostResolver = systemResolver,
  ) {
    this.secrets = webhookSecretBox(ctx.config.webhooks.encryptionKey);
    this.attemptsByDeliveryId = new DataLoader(async (ids) => {
      const rows: AttemptRow[] = await dataSource.query(
        `SELECT delivery_id, attempt_number, attempted_at, latency_ms, response_status, outcome, error
           FROM messaging.webhook_attempts WHERE delivery_id = ANY($1::uuid[]) ORDER BY attempt_number, id`,
        [ids],
      );
      return ids.map((id) => rows.filter((r) => r.delivery_id === id));
    });
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
    db: { query: DataSource['query'] } = this.dataSource,
    lock = false,
    notFound = () => errors.notFound('Webhook endpoint'),
  ): Promise<{ row: EndpointRow; chain: AccountChain }> {
    assertId(id, 'id');
    const rows: EndpointRow[] = await db.query(`SELECT ${ENDPOINT_COLUMNS} FROM messaging.webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
    if (!rows[0] || !(await this.ctx.access.can(rows[0].account_id, 'webhooks'))) throw notFound();
    const chain = await this.ctx.access.require(rows[0].account_id, 'webhooks');
    return { row: rows[0], chain };
  }

  /** An endpoint of an event type that carries phone numbers sends them out in full: only for callers who see them (I6). */
  private async requireMaySubscribe(accountId: string, eventTypes: readonly string[]): Promise<void> {
    const carrying = eventTypes.filter((t) => (NUMBER_CARRYING_EVENT_TYPES as readonly string[]).includes(t));
    if (carrying.length) await requireSeesNumbers(this.ctx, accountId, `a webhook endpoint of ${carrying.join(', ')}`);
  }

  private log(manager: EntityManager, chain: AccountChain, action: string, endpointId: string, before: unknown, after: unknown) {
    return appendActivity(manager, 'messaging', {
      principal: this.ctx.principal,
      treeId: chain.rootId,
      targetAccountPath: chain.path,
      action,
      targetType: 'WebhookEndpoint',
      targetId: endpointId,
      before,
      after,
    });
  }

  private requireOpen(chain: AccountChain): void {
    if (chain.chainStatus === 'CLOSED') throw new AppError('ACCOUNT_CLOSED', 'The account is closed');
  }

  async list(accountId: string): Promise<EndpointRow[]> {
    const chain = await this.ctx.access.require(accountId, 'webhooks');
    return this.dataSource.query(`SELECT ${ENDPOINT_COLUMNS} FROM messaging.webhook_endpoints WHERE account_id = $1 ORDER BY created_at, id`, [chain.id]);
  }

  async get(id: string): Promise<EndpointRow> {
    return (await this.requireEndpoint(id)).row;
  }

  async create(input: { accountId: string; url: string; eventTypes: string[]; includeSubAccounts?: boolean | null; description?: string | null }) {
    const chain = await this.ctx.access.require(input.accountId, 'webhooks');
    this.requireOpen(chain);
    const eventTypes = this.validateEventTypes(input.eventTypes);
    await this.requireMaySubscribe(chain.id, eventTypes);
    const description = this.validateDescription(input.description);
    const url = await assertRegistrableUrl(input.url, this.policy, this.resolver);
    const id = crypto.randomUUID();
    const secret = generateWebhookSecret();
    const endpoint = await this.dataSource.transaction(async (manager) => {
      const [row] = await queryRows<EndpointRow>(
        manager,
        `INSERT INTO messaging.webhook_endpoints (id, account_id, url, description, event_types, include_sub_accounts, secret_sealed, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ENDPOINT_COLUMNS}`,
        [id, chain.id, url, description, eventTypes, input.includeSubAccounts ?? false, this.secrets.seal(secret, id), `${this.ctx.principal.kind}:${this.ctx.principal.id}`],
      );
      await this.log(manager, chain, 'createWebhookEndpoint', id, null, auditView(row));
      return row;
    });
    return { endpoint, secret };
  }

  async update(id: string, input: { url?: string | null; eventTypes?: string[] | null; includeSubAccounts?: boolean | null; description?: string | null }) {
    const { chain, row: current } = await this.requireEndpoint(id);
    this.requireOpen(chain);
    const eventTypes = input.eventTypes ? this.validateEventTypes(input.eventTypes) : null;
    // Any change to such an endpoint (its URL above all) decides where the numbers go.
    await this.requireMaySubscribe(chain.id, eventTypes ?? current.event_types);
    const url = input.url === undefined || input.url === null ? null : await assertRegistrableUrl(input.url, this.policy, this.resolver);
    const description = input.description === undefined ? undefined : this.validateDescription(input.description);
    return this.dataSource.transaction(async (manager) => {
      const { row: before } = await this.requireEndpoint(id, manager, true);
      const [row] = await queryRows<EndpointRow>(
        manager,
        `UPDATE messaging.webhook_endpoints
            SET url = COALESCE($2, url), event_types = COALESCE($3, event_types), include_sub_accounts = COALESCE($4, include_sub_accounts),
                description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
          WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
        [id, url, eventTypes, input.includeSubAccounts ?? null, description !== undefined, description ?? null],
      );
      await this.log(manager, chain, 'updateWebhookEndpoint', id, auditView(before), auditView(row));
      return row;
    });
  }

  async rotateSecret(id: string, overlapSeconds: number | null | undefined) {
    const overlap = overlapSeconds ?? this.ctx.config.webhooks.rotationOverlapSeconds;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > 30 * 24 * 3600) throw errors.badInput('overlapSeconds must be between 0 and 2592000', 'overlapSeconds');
    const { chain } = await this.requireEndpoint(id);
    this.requireOpen(chain);
    const secret = generateWebhookSecret();
    const endpoint = await this.dataSource.transaction(async (manager) => {
      await this.requireEndpoint(id, manager, true);
      // The current secret becomes the previous one and keeps signing until the overlap ends.
      const [row] = await queryRows<EndpointRow>(
        manager,
        `UPDATE messaging.webhook_endpoints
            SET previous_secret_sealed = CASE WHEN $3 > 0 THEN secret_sealed END,
                previous_secret_expires_at = CASE WHEN $3 > 0 THEN now() + make_interval(secs => $3) END,
                secret_sealed = $2, secret_rotated_at = now(), updated_at = now()
          WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
        [id, this.secrets.seal(secret, id), overlap],
      );
      await this.log(manager, chain, 'rotateWebhookSecret', id, null, { overlapSeconds: overlap });
      return row;
    });
    return { endpoint, secret };
  }

  async setEnabled(id: string, enabled: boolean): Promise<EndpointRow> {
    const { chain } = await this.requireEndpoint(id);
    if (enabled) this.requireOpen(chain);
    return this.dataSource.transaction(async (manager) => {
      const { row: before } = await this.requireEndpoint(id, manager, true);
      const [row] = await queryRows<EndpointRow>(
        manager,
        enabled
          ? `UPDATE messaging.webhook_endpoints SET status = 'ACTIVE', disabled_reason = NULL, disabled_at = NULL, updated_at = now() WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`
          : `UPDATE messaging.webhook_endpoints SET status = 'DISABLED', disabled_reason = 'MANUAL', disabled_at = now(), updated_at = now()
              WHERE id = $1 AND status = 'ACTIVE' RETURNING ${ENDPOINT_COLUMNS}`,
        [id],
      );
      const result = row ?? before;
      await this.log(manager, chain, enabled ? 'enableWebhookEndpoint' : 'disableWebhookEndpoint', id, { status: before.status }, { status: result.status });
      return result;
    });
  }

  async delete(id: string): Promise<boolean> {
    const { chain } = await this.requireEndpoint(id);
    return this.dataSource.transaction(async (manager) => {
      const { row } = await this.requireEndpoint(id, manager, true);
      await manager.query(`DELETE FROM messaging.webhook_endpoints WHERE id = $1`, [id]);
      await this.log(manager, chain, 'deleteWebhookEndpoint', id, auditView(row), null);
      return true;
    });
  }

  async deliveries(endpointId: string, first: number, status: string | null | undefined): Promise<DeliveryRow[]> {
    if (!Number.isInteger(first) || first < 1 || first > 100) throw errors.badInput('first must be between 1 and 100', 'first');
    return this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM messaging.webhook_deliveries d JOIN messaging.webhook_events e ON e.id = d.event_id
        WHERE d.endpoint_id = $1 AND ($2::text IS NULL OR d.status = $2) ORDER BY d.created_at DESC, d.id LIMIT $3`,
      [endpointId, status ?? null, first],
    );
  }

  /** Sends a delivery again with the same webhook-id and a fresh retry schedule. */
  async replay(deliveryId: string): Promise<DeliveryRow> {
    assertId(deliveryId, 'id');
    const notFound = () => errors.notFound('Webhook delivery');
    const found: { endpoint_id: string }[] = await this.dataSource.query(`SELECT endpoint_id FROM messaging.webhook_deliveries WHERE id = $1`, [deliveryId]);
    if (!found[0]) throw notFound();
    const { chain } = await this.requireEndpoint(found[0].endpoint_id, this.dataSource, false, notFound);
    return this.dataSource.transaction(async (manager) => {
      const { row: endpoint } = await this.requireEndpoint(found[0].endpoint_id, manager, true, notFound);
      if (endpoint.status !== 'ACTIVE') throw new AppError('INVALID_STATE', 'The endpoint is disabled; enable it before replaying');
      await manager.query(
        `UPDATE messaging.webhook_deliveries
            SET status = 'PENDING', cycle_attempts = 0, cycle_started_at = NULL, next_attempt_at = now(), completed_at = NULL,
                lease_token = NULL, lease_expires_at = NULL
          WHERE id = $1`,
        [deliveryId],
      );
      const [row] = await queryRows<DeliveryRow>(
        manager,
        `SELECT ${DELIVERY_COLUMNS} FROM messaging.webhook_deliveries d JOIN messaging.webhook_events e ON e.id = d.event_id WHERE d.id = $1`,
        [deliveryId],
      );
      await this.log(manager, chain, 'replayWebhookDelivery', endpoint.id, null, { deliveryId, webhookId: row.event_id });
      return row;
    });
  }

  static eventTypes() {
    return Object.entries(EVENT_TYPES).map(([type, description]) => ({ type, description }));
  }
}
