import { groupBy, keysetSql, queryOne, queryRows, type PageRequest, type Sql } from '@platform/db';

export interface EndpointRow {
  id: string;
  accountId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  includeSubAccounts: boolean;
  status: 'ACTIVE' | 'DISABLED';
  disabledReason: string | null;
  disabledAt: Date | null;
  secretRotatedAt: Date | null;
  previousSecretExpiresAt: Date | null;
  lastSuccessAt: Date | null;
  createdAt: Date;
}

export interface DeliveryRow {
  id: string;
  eventId: string;
  endpointId: string;
  eventType: string;
  eventAccountId: string;
  status: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  attemptCount: number;
  nextAttemptAt: Date;
  lastResponseStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface AttemptRow {
  deliveryId: string;
  attemptNumber: number;
  attemptedAt: Date;
  latencyMs: number;
  responseStatus: number | null;
  outcome: 'SUCCEEDED' | 'FAILED';
  error: string | null;
}

const ENDPOINT_COLUMNS = `id, account_id AS "accountId", url, description, event_types AS "eventTypes", include_sub_accounts AS "includeSubAccounts",
  status, disabled_reason AS "disabledReason", disabled_at AS "disabledAt", secret_rotated_at AS "secretRotatedAt",
  previous_secret_expires_at AS "previousSecretExpiresAt", last_success_at AS "lastSuccessAt", created_at AS "createdAt"`;
const DELIVERY_COLUMNS = `d.id, d.event_id AS "eventId", d.endpoint_id AS "endpointId", e.type AS "eventType", e.account_id AS "eventAccountId", d.status,
  d.attempt_count AS "attemptCount", d.next_attempt_at AS "nextAttemptAt", d.last_response_status AS "lastResponseStatus",
  d.last_error AS "lastError", d.created_at AS "createdAt", d.completed_at AS "completedAt"`;

export function findEndpoint(db: Sql, id: string, lock: boolean): Promise<EndpointRow | null> {
  return queryOne<EndpointRow>(db, `SELECT ${ENDPOINT_COLUMNS} FROM messaging.webhook_endpoints WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id]);
}

/** A page of the account's endpoints, oldest first. */
export function endpointsOfAccount(db: Sql, accountId: string, page: PageRequest<readonly [string, string]>): Promise<(EndpointRow & { createdAtKey: string })[]> {
  const keyset = keysetSql(page, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: 2 });
  return queryRows(
    db,
    `SELECT ${ENDPOINT_COLUMNS}, created_at::text AS "createdAtKey" FROM messaging.webhook_endpoints WHERE account_id = $1 AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [accountId, ...keyset.parameters],
  );
}

export interface NewEndpoint {
  id: string;
  accountId: string;
  url: string;
  description: string | null;
  eventTypes: string[];
  includeSubAccounts: boolean;
  secretSealed: string;
  createdBy: string;
}

export async function insertEndpoint(db: Sql, endpoint: NewEndpoint): Promise<EndpointRow> {
  const [row] = await queryRows<EndpointRow>(
    db,
    `INSERT INTO messaging.webhook_endpoints (id, account_id, url, description, event_types, include_sub_accounts, secret_sealed, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${ENDPOINT_COLUMNS}`,
    [endpoint.id, endpoint.accountId, endpoint.url, endpoint.description, endpoint.eventTypes, endpoint.includeSubAccounts, endpoint.secretSealed, endpoint.createdBy],
  );
  return row;
}

/** Null fields keep their value; `description` undefined keeps it, null clears it. */
export interface EndpointChanges {
  url: string | null;
  eventTypes: string[] | null;
  includeSubAccounts: boolean | null;
  description: string | null | undefined;
}

export async function updateEndpoint(db: Sql, id: string, changes: EndpointChanges): Promise<EndpointRow> {
  const [row] = await queryRows<EndpointRow>(
    db,
    `UPDATE messaging.webhook_endpoints
        SET url = COALESCE($2, url), event_types = COALESCE($3, event_types), include_sub_accounts = COALESCE($4, include_sub_accounts),
            description = CASE WHEN $5 THEN $6 ELSE description END, updated_at = now()
      WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
    [id, changes.url, changes.eventTypes, changes.includeSubAccounts, changes.description !== undefined, changes.description ?? null],
  );
  return row;
}

/** The current secret becomes the previous one and keeps signing until the overlap ends. */
export async function replaceEndpointSecret(db: Sql, id: string, secretSealed: string, overlapSeconds: number): Promise<EndpointRow> {
  const [row] = await queryRows<EndpointRow>(
    db,
    `UPDATE messaging.webhook_endpoints
        SET previous_secret_sealed = CASE WHEN $3 > 0 THEN secret_sealed END,
            previous_secret_expires_at = CASE WHEN $3 > 0 THEN now() + make_interval(secs => $3) END,
            secret_sealed = $2, secret_rotated_at = now(), updated_at = now()
      WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
    [id, secretSealed, overlapSeconds],
  );
  return row;
}

/** The endpoint after the change; null when disabling an endpoint that is not active. */
export function setEndpointStatus(db: Sql, id: string, enabled: boolean): Promise<EndpointRow | null> {
  return queryOne<EndpointRow>(
    db,
    enabled
      ? `UPDATE messaging.webhook_endpoints SET status = 'ACTIVE', disabled_reason = NULL, disabled_at = NULL, updated_at = now() WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`
      : `UPDATE messaging.webhook_endpoints SET status = 'DISABLED', disabled_reason = 'MANUAL', disabled_at = now(), updated_at = now()
          WHERE id = $1 AND status = 'ACTIVE' RETURNING ${ENDPOINT_COLUMNS}`,
    [id],
  );
}

export async function deleteEndpoint(db: Sql, id: string): Promise<void> {
  await db.query(`DELETE FROM messaging.webhook_endpoints WHERE id = $1`, [id]);
}

/** The same page of each endpoint's deliveries (of `status` when given), newest first (a keyset page on (created_at, id)), in one statement. */
export async function deliveryPages(db: Sql, endpointIds: readonly string[], status: string | null, page: PageRequest<readonly [string, string]>): Promise<(DeliveryRow & { createdAtKey: string })[][]> {
  const keyset = keysetSql(page, { columns: ['d.created_at', 'd.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 3 });
  const rows = await queryRows<DeliveryRow & { createdAtKey: string }>(
    db,
    `SELECT ${DELIVERY_COLUMNS}, d.created_at::text AS "createdAtKey"
       FROM unnest($1::uuid[]) WITH ORDINALITY AS endpoint(id, position)
       CROSS JOIN LATERAL (
         SELECT * FROM messaging.webhook_deliveries d WHERE d.endpoint_id = endpoint.id AND ($2::text IS NULL OR d.status = $2) AND ${keyset.where}
          ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}) d
       JOIN messaging.webhook_events e ON e.id = d.event_id
      ORDER BY endpoint.position, ${keyset.orderBy}`,
    [endpointIds, status, ...keyset.parameters],
  );
  return groupBy(endpointIds, rows, (row) => row.endpointId);
}

export function findDelivery(db: Sql, id: string): Promise<DeliveryRow | null> {
  return queryOne<DeliveryRow>(
    db,
    `SELECT ${DELIVERY_COLUMNS} FROM messaging.webhook_deliveries d JOIN messaging.webhook_events e ON e.id = d.event_id WHERE d.id = $1`,
    [id],
  );
}

export async function endpointIdOfDelivery(db: Sql, deliveryId: string): Promise<string | null> {
  const row = await queryOne<{ endpoint_id: string }>(db, `SELECT endpoint_id FROM messaging.webhook_deliveries WHERE id = $1`, [deliveryId]);
  return row?.endpoint_id ?? null;
}

/** Makes a delivery due now with a fresh retry schedule (same webhook-id). */
export async function rescheduleDelivery(db: Sql, deliveryId: string): Promise<void> {
  await db.query(
    `UPDATE messaging.webhook_deliveries
        SET status = 'PENDING', cycle_attempts = 0, cycle_started_at = NULL, next_attempt_at = now(), completed_at = NULL,
            lease_token = NULL, lease_expires_at = NULL
      WHERE id = $1`,
    [deliveryId],
  );
}

/** The same page of each delivery's attempts, oldest first (a keyset page on (attempt_number, id)), in one statement. */
export async function attemptPages(db: Sql, deliveryIds: readonly string[], page: PageRequest<readonly [number, string]>): Promise<(AttemptRow & { idKey: string })[][]> {
  const keyset = keysetSql(page, { columns: ['a.attempt_number', 'a.id'], types: ['integer', 'bigint'], order: 'ASC', firstParameter: 2 });
  const rows = await queryRows<AttemptRow & { idKey: string }>(
    db,
    `SELECT a.delivery_id AS "deliveryId", a.attempt_number AS "attemptNumber", a.attempted_at AS "attemptedAt", a.latency_ms AS "latencyMs",
            a.response_status AS "responseStatus", a.outcome, a.error, a.id::text AS "idKey"
       FROM unnest($1::uuid[]) WITH ORDINALITY AS delivery(id, position)
       CROSS JOIN LATERAL (
         SELECT * FROM messaging.webhook_attempts a WHERE a.delivery_id = delivery.id AND ${keyset.where} ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}) a
      ORDER BY delivery.position, ${keyset.orderBy}`,
    [deliveryIds, ...keyset.parameters],
  );
  return groupBy(deliveryIds, rows, (row) => row.deliveryId);
}

/**
 * True when some ACTIVE endpoint receives the events of `type` of the account `accountId` (SQL
 * expressions; `path` its uuid[] path, root first, itself last): one of the account's own, or an
 * ancestor's that includes its sub-accounts (the relay's rule).
 */
export const hasSubscriberSql = (type: string, accountId: string, path: string) =>
  `EXISTS (SELECT 1 FROM messaging.webhook_endpoints w
            WHERE w.status = 'ACTIVE' AND ${type} = ANY(w.event_types)
              AND (w.account_id = ${accountId} OR (w.include_sub_accounts AND w.account_id = ANY(${path}))))`;

/**
 * Of the given accounts (id and path, root first), those whose events of `type` some ACTIVE endpoint
 * receives: one of the account's own, or an ancestor's that includes its sub-accounts (the relay's rule).
 */
export async function accountsWithSubscribers(db: Sql, type: string, accounts: readonly { id: string; path: readonly string[] }[]): Promise<Set<string>> {
  if (accounts.length === 0) return new Set();
  const rows = await queryRows<{ id: string }>(
    db,
    `SELECT a.id FROM unnest($2::uuid[], $3::text[]) AS a(id, path)
      WHERE ${hasSubscriberSql('$1', 'a.id', `string_to_array(a.path, ',')::uuid[]`)}`,
    [type, accounts.map((a) => a.id), accounts.map((a) => a.path.join(','))],
  );
  return new Set(rows.map((r) => r.id));
}
