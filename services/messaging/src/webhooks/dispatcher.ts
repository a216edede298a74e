import crypto from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DataSource, type DataSourceOptions, type EntityManager } from 'typeorm';
import type { PlatformConfig, WebhookSettings } from '@platform/config';
import { queryRows } from '@platform/db';
import { OUTBOX_SCHEMAS } from '@platform/events';
import type { Logger, Metrics } from '@platform/server';
import { sendWebhook, type SendResult } from './http-sender';
import { retryDelayMs, systemClock, type Clock } from './schedule';
import type { SecretBox } from '@platform/authz';
import { signatureHeader, webhookSecretBox } from './signing';
import { systemResolver, type HostResolver, type UrlPolicy } from './url-policy';

export interface WebhookDispatcherOptions {
  settings: WebhookSettings;
  production: boolean;
  clock?: Clock;
  /** Jitter source in [0, 1). */
  random?: () => number;
  resolver?: HostResolver;
  logger?: Pick<Logger, 'info' | 'warn' | 'error'>;
  /** Outbox rows relayed per schema and transaction. */
  relayBatchSize?: number;
  /** Deliveries claimed per round. */
  deliveryBatchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** the process's metrics, where attempts are counted */
  metrics?: Metrics;
}

interface OutboxRow {
  seq: string;
  id: string;
  txid: string;
  type: string;
  account_id: string;
  account_path: string[];
  occurred_at: Date;
  data: Record<string, unknown>;
}

interface ClaimedDelivery {
  id: string;
  event_id: string;
  endpoint_id: string;
  attempt_count: number;
  cycle_attempts: number;
  cycle_started_at: Date | null;
}

/** What an attempt needs of its endpoint: where to send and the secrets that sign (not the API's EndpointRow). */
interface DispatchEndpointRow {
  id: string;
  url: string;
  secret_sealed: string;
  previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null;
  last_success_at: Date | null;
}

interface EventRow {
  id: string;
  type: string;
  account_id: string;
  occurred_at: Date;
  data: Record<string, unknown>;
}

/** Endpoint `w` receives event `e`: its own account's, and its sub-accounts' when it asked for them (never a sibling's). */
const SUBSCRIBED = `w.status = 'ACTIVE'
          AND e.type = ANY(w.event_types)
          AND (w.account_id = e.account_id OR (w.include_sub_accounts AND w.account_id = ANY(e.account_path)))
          AND w.created_at <= e.occurred_at`;

/** succeeded: a 2xx; failed: any other answer; unreachable: no answer (refused address, connection error, timeout). */
type AttemptOutcome = 'succeeded' | 'failed' | 'unreachable';

function attemptMetrics(metrics: Metrics) {
  const attempts = metrics.counter({ name: 'webhook_attempts_total', help: 'Webhook delivery attempts by outcome (succeeded: 2xx, failed: another answer, unreachable: no answer)', labelNames: ['outcome'] as const });
  const duration = metrics.histogram({
    name: 'webhook_attempt_duration_seconds',
    help: 'Time receivers took to answer webhook attempts, by outcome',
    labelNames: ['outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  });
  return {
    record(outcome: AttemptOutcome, seconds: number) {
      attempts.inc({ outcome });
      duration.observe({ outcome }, seconds);
    },
  };
}

export interface DispatchRound {
  relayed: number;
  attempted: number;
}

/**
 * The webhook dispatcher (SPEC M10). Safe to run in any number of processes at once:
 *
 * 1. relay: for every `<schema>.outbox`, in one transaction of its own schema (messaging), copy the
 *    rows past the cursor whose writing transactions have all ended, and that some endpoint
 *    receives, into `webhook_events`, create
 *    one delivery per subscribed ACTIVE endpoint, and move the cursor. The cursor and the
 *    deliveries commit together: an event is fanned out exactly once. One relay per source schema
 *    at a time (advisory lock; others skip).
 * 2. deliver: claim due deliveries with a lease (`FOR UPDATE SKIP LOCKED`, committed at once), POST
 *    them outside any transaction, then record the attempt and the next state. A dispatcher killed
 *    mid-send leaves its claims to expire; the next one sends them again with the same webhook-id
 *    (at-least-once; receivers deduplicate on webhook-id).
 *
 * Every time comparison uses the injected clock, so tests drive retries without sleeping.
 */
export class WebhookDispatcher {
  readonly clock: Clock;
  /** How long a claim lasts: the request timeout plus a margin. */
  readonly leaseMs: number;
  private readonly random: () => number;
  private readonly resolver: HostResolver;
  private readonly secrets: SecretBox;
  private readonly policy: UrlPolicy;
  private readonly attempts?: { record(outcome: AttemptOutcome, seconds: number): void };

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.resolver = options.resolver ?? systemResolver;
    this.secrets = webhookSecretBox(options.settings.encryptionKey);
    this.policy = { production: options.production, allowLoopback: options.settings.allowLoopbackUrls };
    this.leaseMs = options.settings.requestTimeoutMs + 30_000;
    if (options.metrics) this.attempts = attemptMetrics(options.metrics);
  }

  /** One relay and one delivery round. */
  async runOnce(): Promise<DispatchRound> {
    const relayed = await this.relay();
    const attempted = await this.deliverDue();
    return { relayed, attempted };
  }

  /** Rounds until nothing is left to relay or due at the clock's current time (tests). */
  async runUntilIdle(maxRounds = 50): Promise<DispatchRound> {
    const total: DispatchRound = { relayed: 0, attempted: 0 };
    for (let round = 0; round < maxRounds; round++) {
      const { relayed, attempted } = await this.runOnce();
      total.relayed += relayed;
      total.attempted += attempted;
      if (relayed === 0 && attempted === 0) break;
    }
    return total;
  }

  /** Relays every outbox once; returns the number of events relayed. */
  async relay(): Promise<number> {
    const schemas: { table_schema: string }[] = await this.dataSource.query(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox' AND table_schema = ANY($1::text[]) ORDER BY table_schema`,
      [[...OUTBOX_SCHEMAS]],
    );
    let relayed = 0;
    for (const { table_schema: schema } of schemas) {
      for (;;) {
        const count = await this.dataSource.transaction((manager) => this.relayBatch(manager, schema));
        relayed += count;
        if (count < (this.options.relayBatchSize ?? 500)) break;
      }
    }
    return relayed;
  }

  private async relayBatch(manager: EntityManager, schema: string): Promise<number> {
    if (!(OUTBOX_SCHEMAS as readonly string[]).includes(schema)) throw new Error(`not an outbox schema: ${schema}`);
    const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`, [`webhook-relay:${schema}`]);
    if (!locked) return 0;
    const cursors: { last_txid: string; last_seq: string }[] = await manager.query(
      `SELECT last_txid::text AS last_txid, last_seq FROM messaging.webhook_relay_cursors WHERE source_schema = $1`,
      [schema],
    );
    const cursor = cursors[0] ?? { last_txid: '0', last_seq: '0' };
    // Only rows of transactions older than every running one: a late commit can never be skipped.
    const rows: OutboxRow[] = await manager.query(
      `SELECT seq, id, txid::text AS txid, type, account_id, account_path, occurred_at, data
         FROM ${schema}.outbox
        WHERE (txid, seq) > ($1::xid8, $2::bigint) AND txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY txid, seq
        LIMIT $3`,
      [cursor.last_txid, cursor.last_seq, this.options.relayBatchSize ?? 500],
    );
    if (rows.length === 0) return 0;
    const events = rows.map((r) => ({
      id: r.id,
      type: r.type,
      account_id: r.account_id,
      account_path: r.account_path,
      occurred_at: new Date(r.occurred_at).toISOString(),
      data: r.data,
    }));
    // Only events some endpoint receives are kept: most message events have no subscriber.
    await manager.query(
      `INSERT INTO messaging.webhook_events (id, source_schema, type, account_id, account_path, occurred_at, data)
       SELECT e.id, $2, e.type, e.account_id, e.account_path, e.occurred_at, e.data
         FROM (SELECT (e->>'id')::uuid AS id, e->>'type' AS type, (e->>'account_id')::uuid AS account_id,
                      ARRAY(SELECT jsonb_array_elements_text(e->'account_path'))::uuid[] AS account_path,
                      (e->>'occurred_at')::timestamptz AS occurred_at, e->'data' AS data
                 FROM jsonb_array_elements($1::jsonb) AS e) e
        WHERE EXISTS (SELECT 1 FROM messaging.webhook_endpoints w
                       WHERE ${SUBSCRIBED})
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(events), schema],
    );
    // Fan-out: the event's own account, and ancestors that asked for their sub-accounts' events.
    await manager.query(
      `INSERT INTO messaging.webhook_deliveries (event_id, endpoint_id, next_attempt_at, root_account_id)
       SELECT e.id, w.id, $2, w.root_account_id
         FROM messaging.webhook_events e
         JOIN messaging.webhook_endpoints w ON ${SUBSCRIBED}
        WHERE e.id = ANY($1::uuid[])
       ON CONFLICT (event_id, endpoint_id) DO NOTHING`,
      [rows.map((r) => r.id), this.clock.now()],
    );
    const last = rows[rows.length - 1];
    await manager.query(
      `INSERT INTO messaging.webhook_relay_cursors (source_schema, last_txid, last_seq) VALUES ($1, $2::xid8, $3)
       ON CONFLICT (source_schema) DO UPDATE SET last_txid = EXCLUDED.last_txid, last_seq = EXCLUDED.last_seq, updated_at = now()`,
      [schema, last.txid, last.seq],
    );
    return rows.length;
  }

  /** Claims the deliveries due now and sends them; returns the number of attempts made. */
  async deliverDue(): Promise<number> {
    const now = this.clock.now();
    const leaseToken = crypto.randomUUID();
    const claimed = await queryRows<ClaimedDelivery>(
      this.dataSource,
      `UPDATE messaging.webhook_deliveries d SET lease_token = $1, lease_expires_at = $2
        WHERE d.id IN (
          SELECT c.id FROM messaging.webhook_deliveries c
            JOIN messaging.webhook_endpoints w ON w.id = c.endpoint_id
           WHERE c.status = 'PENDING' AND w.status = 'ACTIVE' AND c.next_attempt_at <= $3
             AND (c.lease_expires_at IS NULL OR c.lease_expires_at <= $3)
           ORDER BY c.next_attempt_at
           LIMIT $4
           FOR UPDATE OF c SKIP LOCKED)
        RETURNING d.id, d.event_id, d.endpoint_id, d.attempt_count, d.cycle_attempts, d.cycle_started_at`,
      [leaseToken, new Date(now.getTime() + this.leaseMs), now, this.options.deliveryBatchSize ?? 50],
    );
    if (claimed.length === 0) return 0;
    const endpoints = new Map(
      (
        (await this.dataSource.query(
          `SELECT id, url, secret_sealed, previous_secret_sealed, previous_secret_expires_at, last_success_at
             FROM messaging.webhook_endpoints WHERE id = ANY($1::uuid[])`,
          [[...new Set(claimed.map((c) => c.endpoint_id))]],
        )) as DispatchEndpointRow[]
      ).map((row) => [row.id, row]),
    );
    const events = new Map(
      (
        (await this.dataSource.query(`SELECT id, type, account_id, occurred_at, data FROM messaging.webhook_events WHERE id = ANY($1::uuid[])`, [
          [...new Set(claimed.map((c) => c.event_id))],
        ])) as EventRow[]
      ).map((row) => [row.id, row]),
    );
    const queue = [...claimed];
    const worker = async () => {
      for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
        try {
          await this.attempt(delivery, endpoints.get(delivery.endpoint_id)!, events.get(delivery.event_id)!, leaseToken);
        } catch (error) {
          this.options.logger?.error({ err: error, deliveryId: delivery.id }, 'webhook attempt could not be recorded');
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.options.concurrency ?? 10, claimed.length) }, worker));
    return claimed.length;
  }

  /** The body every attempt of this event sends (byte-identical across retries and replays). */
  static bodyOf(event: EventRow): string {
    return JSON.stringify({
      type: event.type,
      timestamp: new Date(event.occurred_at).toISOString(),
      data: { accountId: event.account_id, ...event.data },
    });
  }

  private signingSecrets(endpoint: DispatchEndpointRow, at: Date): string[] {
    const secrets = [this.secrets.open(endpoint.secret_sealed, endpoint.id)];
    if (endpoint.previous_secret_sealed && endpoint.previous_secret_expires_at && new Date(endpoint.previous_secret_expires_at) > at) {
      secrets.push(this.secrets.open(endpoint.previous_secret_sealed, endpoint.id));
    }
    return secrets;
  }

  private async attempt(delivery: ClaimedDelivery, endpoint: DispatchEndpointRow, event: EventRow, leaseToken: string): Promise<void> {
    const attemptedAt = this.clock.now();
    const body = WebhookDispatcher.bodyOf(event);
    const timestamp = Math.floor(attemptedAt.getTime() / 1000);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'platform-webhooks/1',
      'webhook-id': event.id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader(this.signingSecrets(endpoint, attemptedAt), event.id, timestamp, body),
    };
    const started = performance.now();
    const result: SendResult = await sendWebhook(endpoint.url, headers, body, {
      policy: this.policy,
      resolver: this.resolver,
      timeoutMs: this.options.settings.requestTimeoutMs,
    });
    const seconds = (performance.now() - started) / 1000;
    const latencyMs = Math.round(seconds * 1000);
    const succeeded = result.status !== null && result.status >= 200 && result.status < 300;
    const gone = result.status === 410;
    this.attempts?.record(succeeded ? 'succeeded' : result.status === null ? 'unreachable' : 'failed', seconds);
    const cycleAttempts = delivery.cycle_attempts + 1;
    const cycleStartedAt = delivery.cycle_started_at ? new Date(delivery.cycle_started_at) : attemptedAt;
    const exhausted = !succeeded && !gone && cycleAttempts >= this.options.settings.maxAttempts;
    const error = succeeded ? null : (result.error ?? `HTTP ${result.status}`);

    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO messaging.webhook_attempts (delivery_id, attempt_number, attempted_at, latency_ms, response_status, outcome, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [delivery.id, delivery.attempt_count + 1, attemptedAt, latencyMs, result.status, succeeded ? 'SUCCEEDED' : 'FAILED', error?.slice(0, 500) ?? null],
      );
      const status = succeeded ? 'SUCCEEDED' : gone || exhausted ? 'FAILED' : 'PENDING';
      const nextAttemptAt = status === 'PENDING' ? new Date(attemptedAt.getTime() + retryDelayMs(cycleAttempts, this.random)) : attemptedAt;
      const updated = await queryRows<{ id: string }>(
        manager,
        `UPDATE messaging.webhook_deliveries
            SET status = $3, attempt_count = attempt_count + 1, cycle_attempts = $4, cycle_started_at = $5, next_attempt_at = $6,
                lease_token = NULL, lease_expires_at = NULL, last_response_status = $7, last_error = $8,
                completed_at = CASE WHEN $3 = 'PENDING' THEN NULL ELSE $9::timestamptz END
          WHERE id = $1 AND lease_token = $2
          RETURNING id`,
        [delivery.id, leaseToken, status, cycleAttempts, cycleStartedAt, nextAttemptAt, result.status, error?.slice(0, 500) ?? null, attemptedAt],
      );
      if (updated.length === 0) return; // our claim expired and another dispatcher took the delivery over
      if (succeeded) {
        // GREATEST ignores NULL: the first success sets it, later ones only move it forward.
        await manager.query(`UPDATE messaging.webhook_endpoints SET last_success_at = GREATEST(last_success_at, $2) WHERE id = $1`, [endpoint.id, attemptedAt]);
      } else if (gone) {
        await this.disableEndpoint(manager, endpoint.id, 'GONE', attemptedAt);
      } else if (exhausted) {
        // Persistent failure: nothing reached the endpoint since this delivery's first attempt.
        await manager.query(
          `UPDATE messaging.webhook_endpoints SET status = 'DISABLED', disabled_reason = 'PERSISTENT_FAILURE', disabled_at = $2, updated_at = now()
            WHERE id = $1 AND status = 'ACTIVE' AND (last_success_at IS NULL OR last_success_at < $3)`,
          [endpoint.id, attemptedAt, cycleStartedAt],
        );
      }
    });
    if (!succeeded) this.options.logger?.warn({ deliveryId: delivery.id, endpointId: endpoint.id, status: result.status, error }, 'webhook attempt failed');
  }

  private async disableEndpoint(manager: EntityManager, endpointId: string, reason: string, at: Date): Promise<void> {
    await manager.query(
      `UPDATE messaging.webhook_endpoints SET status = 'DISABLED', disabled_reason = $2, disabled_at = $3, updated_at = now() WHERE id = $1 AND status = 'ACTIVE'`,
      [endpointId, reason, at],
    );
  }
}

/**
 * The dispatcher as a background job of the messaging subgraph (shared/testing's startPlatform, npm
 * start, scripts/run-subgraph.ts) or of its own process (scripts/run-webhook-dispatcher.ts).
 * WEBHOOK_DISPATCH_INTERVAL_MS=0 turns it off. Rounds never overlap; a busy round is followed at once
 * by the next one. It works on a small pool of its own (same database and schema), so slow receivers
 * never hold the connections that serve GraphQL requests.
 */
export function startWebhookDispatcher(dataSource: DataSource, config: PlatformConfig, logger: Logger, metrics?: Metrics): { stop(): Promise<void> } {
  const interval = config.webhooks.dispatchIntervalMs;
  if (interval <= 0) return { stop: async () => {} };
  // Not the subgraph's logger: a statement-counting one (tests) must not count this background polling.
  const pool = new DataSource({ ...dataSource.options, poolSize: 2, logger: 'advanced-console', logging: false, applicationName: 'webhook-dispatcher' } as DataSourceOptions);
  const dispatcher = new WebhookDispatcher(pool, { settings: config.webhooks, production: config.isProduction, logger, metrics });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;
  const tick = () => {
    if (stopped) return;
    running = (pool.isInitialized ? Promise.resolve(pool) : pool.initialize())
      .then(() => dispatcher.runOnce())
      .then((round) => round.relayed + round.attempted > 0)
      .catch((error) => {
        logger.error({ err: error }, 'webhook dispatch failed');
        return false;
      })
      .then((busy) => {
        running = null;
        if (!stopped) timer = setTimeout(tick, busy ? 0 : interval);
      });
  };
  timer = setTimeout(tick, interval);
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
      if (pool.isInitialized) await pool.destroy();
    },
  };
}
