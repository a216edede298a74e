import type { Sql } from '@platform/db';
import crypto from 'node:crypto';
import { loadAccountChains } from '@platform/authz';

/**
 * Platform events and the transactional outbox (SPEC M10).
 *
 * Every subgraph that publishes events owns a table `<schema>.outbox` in its own schema (create it
 * from one of the subgraph's migrations with `outboxMigrationSql('<schema>')`) and writes to it
 * with `publishEvent` INSIDE the transaction of the change the event describes: the event exists
 * if and only if the change committed. The webhook dispatcher (messaging subgraph) reads every
 * `<schema>.outbox` with a cursor kept in its own schema — it never writes another subgraph's
 * schema — and delivers the events to the webhook endpoints subscribed to them.
 */

/** The catalogue of event types a webhook endpoint can subscribe to, with who publishes them. */
export const EVENT_TYPES = {
  'message.status': 'messaging: a message was accepted or changed status (SCHEDULED, QUEUED, SENT, DELIVERED, FAILED, EXPIRED, CANCELLED)',
  'message.inbound': 'messaging: an inbound message (a reply) was received',
  'contact.opted_out': 'messaging: a number opted out of an account (an opt-out keyword reply)',
  'contact.resubscribed': 'messaging: an opted-out number was resubscribed to an account (resubscribeContact)',
  'automation.forwarded': 'messaging: an automation rule forwarded an inbound message to the webhooks subscribed to this type',
  'billing.low_balance': 'billing: the paying balance fell below its low-balance threshold',
  'account.created': 'account-hierarchy: a sub-account was created',
  'account.closed': 'account-hierarchy: an account was closed (with cascade: its open sub-accounts too)',
  'account.moved': 'account-hierarchy: a sub-account was moved under another parent',
} as const;

export type EventType = keyof typeof EVENT_TYPES;

export const isEventType = (value: string): value is EventType => Object.prototype.hasOwnProperty.call(EVENT_TYPES, value);

/** What a publisher gives. */
export interface PlatformEventInput {
  type: EventType;
  /** The account the event is about: webhook subscriptions of this account (and, with includeSubAccounts, of its ancestors) receive it. */
  accountId: string;
  /**
   * The account's path (root first, the account last) as of this transaction. Omit it and it is read
   * from hierarchy.accounts in the same transaction; pass it when you hold it already (e.g. a row you
   * just wrote).
   */
  accountPath?: readonly string[];
  /** The event's payload: plain JSON, no secrets, no data the account's admins may not see. */
  data: Record<string, unknown>;
  /** Defaults to a random UUID; it becomes the `webhook-id` of every delivery of this event. */
  id?: string;
}

/** The envelope stored in `<schema>.outbox` and delivered (as `{ type, timestamp, data }`) to endpoints. */
export interface PlatformEvent {
  id: string;
  type: EventType;
  accountId: string;
  accountPath: string[];
  occurredAt: Date;
  data: Record<string, unknown>;
}

const SCHEMA_PATTERN = /^[a-z_][a-z0-9_]*$/;

function assertSchema(schema: string): string {
  if (!SCHEMA_PATTERN.test(schema)) throw new Error(`Invalid schema name ${schema}`);
  return schema;
}

/**
 * Publishes one event into `<schema>.outbox`.
 *
 * `db` MUST be the EntityManager / QueryRunner of the transaction that makes the change (e.g. the
 * `manager` of `dataSource.transaction(async (manager) => …)`): the event then commits or rolls
 * back with the change, and is delivered at least once (receivers deduplicate on `webhook-id`).
 * Publish after the change, just before commit. `schema` is the caller's own schema. An event's
 * time is the moment it is published (clock_timestamp(), not the transaction's start): events
 * published one after the other, in one transaction or in successive ones, have increasing times.
 *
 * The messaging payloads (data) are listed in the README (Webhooks, "Messaging events"); message
 * status changes are published in bulk with publishEventsFrom.
 * `accountId` is the sending / receiving account (the event reaches that account's endpoints and,
 * with includeSubAccounts, its ancestors'). Number-carrying types may only be subscribed to by
 * callers who see the account's numbers (messaging's NUMBER_CARRYING_EVENT_TYPES).
 */
export async function publishEvent(db: Sql, schema: string, event: PlatformEventInput): Promise<PlatformEvent> {
  const s = assertSchema(schema);
  if (!isEventType(event.type)) throw new Error(`Unknown event type ${event.type}; add it to EVENT_TYPES`);
  let path = event.accountPath ? [...event.accountPath] : undefined;
  if (!path) {
    const chain = (await loadAccountChains(db, [event.accountId])).get(event.accountId.toLowerCase());
    if (!chain) throw new Error(`publishEvent: account ${event.accountId} not found`);
    path = chain.path;
  }
  path = path.map((id) => id.toLowerCase());
  if (path[path.length - 1] !== event.accountId.toLowerCase()) throw new Error('publishEvent: accountPath must end with accountId');
  const id = event.id ?? crypto.randomUUID();
  const rows: { occurred_at: Date }[] = await db.query(
    `INSERT INTO ${s}.outbox (id, type, account_id, account_path, data, occurred_at) VALUES ($1, $2, $3, $4::uuid[], $5::jsonb, clock_timestamp()) RETURNING occurred_at`,
    [id, event.type, event.accountId.toLowerCase(), path, JSON.stringify(event.data)],
  );
  return { id, type: event.type, accountId: event.accountId.toLowerCase(), accountPath: path, occurredAt: new Date(rows[0].occurred_at), data: event.data };
}

/**
 * Publishes one event of `type` per row of `rowsSql` into `<schema>.outbox`, in one INSERT … SELECT
 * (e.g. the status changes of a batch of messages, built from their rows where they are), with the
 * same contract as publishEvent: `db` is the transaction of the change. `rowsSql` is a SELECT
 * yielding `account_id uuid`, `account_path uuid[]` (root first, the account last) and `data jsonb`;
 * `parameters` are its own ($1, $2, …).
 */
export async function publishEventsFrom(db: Sql, schema: string, type: EventType, rowsSql: string, parameters: unknown[]): Promise<void> {
  await db.query(eventsInsertSql(schema, type, rowsSql), parameters);
}

/**
 * publishEventsFrom as a part of a caller's own statement (e.g. a CTE of a send's one statement):
 * the INSERT of one event of `type` per row of `rowsSql` (same columns), to which the caller may add
 * a RETURNING clause. The statement must be the change's own (its transaction, or itself alone).
 */
export function eventsInsertSql(schema: string, type: EventType, rowsSql: string): string {
  const s = assertSchema(schema);
  if (!isEventType(type)) throw new Error(`Unknown event type ${type}; add it to EVENT_TYPES`);
  return `INSERT INTO ${s}.outbox (id, type, account_id, account_path, data, occurred_at)
     SELECT gen_random_uuid(), '${type}', e.account_id, e.account_path, e.data, clock_timestamp() FROM (${rowsSql}) AS e`;
}

/**
 * The DDL of `<schema>.outbox`; run it from one of the subgraph's migrations.
 *
 * `txid` is the id of the writing transaction: the relay reads rows in (txid, seq) order and only
 * those whose transaction is older than every transaction still running
 * (`txid < pg_snapshot_xmin(pg_current_snapshot())`), so a transaction that commits late can never
 * be skipped by a cursor that has moved past a later-numbered row.
 */
export function outboxMigrationSql(schema: string): string[] {
  const s = assertSchema(schema);
  return [
    `CREATE TABLE ${s}.outbox (
       seq bigserial PRIMARY KEY,
       id uuid NOT NULL UNIQUE,
       txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
       type text NOT NULL,
       account_id uuid NOT NULL,
       -- the account's ancestors at the time of the event, root first, the account last
       account_path uuid[] NOT NULL,
       occurred_at timestamptz NOT NULL DEFAULT now(),
       data jsonb NOT NULL
     )`,
    `CREATE INDEX outbox_relay_order ON ${s}.outbox (txid, seq)`,
  ];
}

export function outboxDropSql(schema: string): string[] {
  return [`DROP TABLE ${assertSchema(schema)}.outbox`];
}

/** The platform schemas whose `<schema>.outbox` the dispatcher relays (those that exist). */
export const OUTBOX_SCHEMAS = ['hierarchy', 'identity', 'messaging', 'billing'] as const;
