import { byKey, keysetSql, prepared, queryRows, type PageRequest, type Sql } from '@platform/db';
import { lockedChainSql, settingOverridesOf, settingOverridesSql, type AccessControl, type SettingValues } from '@platform/authz';
import { currentTraceparent } from '@platform/telemetry';
import { eventsInsertSql } from '@platform/events';
import { optedOutSql } from '../contacts/store';
import { statusEventData } from '../pipeline/status-events';
import { hasSubscriberSql } from '../webhooks/store';
import type { UsageRow } from '../pipeline/usage-changes';
import type { MessageStatus, SmsEncoding } from '../__generated__/resolvers-types';

export interface MessageRow {
  id: string;
  accountId: string;
  userId: string | null;
  batchId: string | null;
  contactId: string | null;
  senderId: string | null;
  senderValue: string;
  recipient: string;
  body: string;
  encoding: SmsEncoding;
  parts: number;
  costUnits: number;
  status: MessageStatus;
  errorCode: string | null;
  sendAt: Date;
  sentAt: Date | null;
  statusAt: Date | null;
  createdAt: Date;
}

const COLUMNS = `id, account_id AS "accountId", user_id AS "userId", batch_id AS "batchId", contact_id AS "contactId", sender_id AS "senderId",
  sender_value AS "senderValue", recipient, body, encoding, parts, cost_units AS "costUnits", status, error_code AS "errorCode",
  send_at AS "sendAt", sent_at AS "sentAt", status_at AS "statusAt", created_at AS "createdAt"`;

/** Which messages a list shows; every criterion that is not null narrows it. */
export interface MessageListQuery {
  accountId: string;
  /** whose messages the caller may read (null = everyone's) */
  authorId: string | null;
  userId: string | null;
  statuses: MessageStatus[] | null;
  senderId: string | null;
  batchId: string | null;
  createdFrom: Date | null;
  createdBefore: Date | null;
}

const MESSAGE_LIST_WHERE = `account_id = $1
        AND ($2::uuid IS NULL OR user_id = $2) AND ($3::uuid IS NULL OR user_id = $3)
        AND ($4::text[] IS NULL OR status = ANY($4::text[]))
        AND ($5::uuid IS NULL OR sender_id = $5)
        AND ($6::uuid IS NULL OR batch_id = $6)
        AND ($7::timestamptz IS NULL OR created_at >= $7)
        AND ($8::timestamptz IS NULL OR created_at < $8)`;

const messageListParameters = (query: MessageListQuery) => [query.accountId, query.authorId, query.userId, query.statuses, query.senderId, query.batchId, query.createdFrom, query.createdBefore];

/** A page of the messages of `query`, newest first (a keyset page of @platform/db on (created_at, id)). */
export function messagesPage(db: Sql, query: MessageListQuery, page: PageRequest<readonly [string, string]>): Promise<(MessageRow & { sortKey: string })[]> {
  const parameters = messageListParameters(query);
  const keyset = keysetSql(page, { columns: ['created_at', 'id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: parameters.length + 1 });
  return queryRows<MessageRow & { sortKey: string }>(
    db,
    `SELECT ${COLUMNS}, created_at::text AS "sortKey" FROM messaging.messages
      WHERE ${MESSAGE_LIST_WHERE} AND ${keyset.where}
      ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [...parameters, ...keyset.parameters],
  );
}

export async function countMessages(db: Sql, query: MessageListQuery): Promise<number> {
  const [row] = await queryRows<{ count: number }>(db, `SELECT count(*)::int AS count FROM messaging.messages WHERE ${MESSAGE_LIST_WHERE}`, messageListParameters(query));
  return row.count;
}

export async function findMessage(db: Sql, id: string): Promise<MessageRow | null> {
  const [message] = await queryRows<MessageRow>(db, `SELECT ${COLUMNS} FROM messaging.messages WHERE id = $1`, [id]);
  return message ?? null;
}

/** Cancels a SCHEDULED message; null when it is not scheduled. The row carries UsageRow's columns too, for the usage change. */
export async function cancelScheduled(tx: Sql, id: string): Promise<(MessageRow & UsageRow) | null> {
  const [cancelled] = await queryRows<MessageRow & UsageRow>(
    tx,
    `UPDATE messaging.messages SET status = 'CANCELLED', status_at = now() WHERE id = $1 AND status = 'SCHEDULED' RETURNING ${COLUMNS}, account_id, user_id, sender_id, cost_units, usage_day::text`,
    [id],
  );
  return cancelled ?? null;
}

/** Marks a HELD batch whose messages are all cancelled RELEASED; the reservation to release, or null. */
export async function releaseCancelledBatch(tx: Sql, batchId: string | null): Promise<string | null> {
  const [batch] = await queryRows<{ reservation_id: string | null }>(
    tx,
    `UPDATE messaging.send_batches b SET credit_state = 'RELEASED'
      WHERE b.id = $1 AND b.credit_state = 'HELD'
        AND NOT EXISTS (SELECT 1 FROM messaging.messages m WHERE m.batch_id = b.id AND m.status <> 'CANCELLED')
      RETURNING b.reservation_id`,
    [batchId],
  );
  return batch?.reservation_id ?? null;
}

/** Number of messages of each account, of one user when `userId` is given (a DataLoader batch). */
export function messageCountsOfAccounts(db: Sql, accountIds: readonly string[], userId: string | null): Promise<{ account_id: string; count: number }[]> {
  return queryRows(
    db,
    `SELECT account_id, count(*)::int AS count FROM messaging.messages
      WHERE account_id = ANY(string_to_array($1, ',')::uuid[]) AND ($2::uuid IS NULL OR user_id = $2)
      GROUP BY account_id`,
    // one text, not a uuid[] parameter: node-postgres builds a 10,000-element array literal element by element
    [accountIds.join(','), userId],
  );
}

/**
 * Messages of each account, all of them and the user's own (`userId`; none when null), in one
 * statement: the counts of an `_entities` call are read while its references are decided, before the
 * scope of each account is known. Answered as one text, in the order asked (`all:own,all:own,…`),
 * and returned as two arrays by position: no row, map or pair object per account.
 */
export async function allAndOwnMessageCounts(db: Sql, accountIds: readonly string[], userId: string | null): Promise<{ all: number[]; own: number[] }> {
  const [row] = await queryRows<{ counts: string | null }>(
    db,
    `SELECT string_agg(coalesce(c.total, 0) || ':' || coalesce(c.own, 0), ',' ORDER BY t.ord) AS counts
       FROM unnest(string_to_array($1, ',')::uuid[]) WITH ORDINALITY AS t(id, ord)
       LEFT JOIN (SELECT account_id, count(*) AS total, count(*) FILTER (WHERE user_id = $2) AS own FROM messaging.messages
                   WHERE account_id = ANY(string_to_array($1, ',')::uuid[])
                   GROUP BY account_id) c ON c.account_id = t.id`,
    [accountIds.join(','), userId],
  );
  const all: number[] = [];
  const own: number[] = [];
  const text = row?.counts ?? '';
  let value = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 58 /* : */) {
      all.push(value);
      value = 0;
    } else if (code === 44 /* , */) {
      own.push(value);
      value = 0;
    } else value = value * 10 + code - 48;
  }
  if (text.length) own.push(value);
  return { all, own };
}

/** The user has sent a message to this number from the account. */
export async function hasSentTo(db: Sql, accountId: string, phone: string, userId: string | null): Promise<boolean> {
  const [own] = await db.query(`SELECT 1 FROM messaging.messages WHERE account_id = $1 AND recipient = $2 AND user_id = $3 LIMIT 1`, [accountId, phone, userId]);
  return Boolean(own);
}

/** The request hash and answer of the account's send with this idempotency key, or null. */
export async function findBatchByKey<TAnswer>(db: Sql, accountId: string, idempotencyKey: string): Promise<{ request_hash: string; result: TAnswer } | null> {
  const [previous] = await queryRows<{ request_hash: string; result: TAnswer }>(
    db,
    `SELECT request_hash, result FROM messaging.send_batches WHERE account_id = $1 AND idempotency_key = $2`,
    [accountId, idempotencyKey],
  );
  return previous ?? null;
}

export interface NewBatch {
  id: string;
  accountId: string;
  userId: string | null;
  idempotencyKey: string;
  requestHash: string;
  reservationId: string | null;
  sendAt: Date;
  units: number;
  /** the API key that sends (null for a user or the system) */
  apiKeyId: string | null;
  /** the answer replays get, as it is when every message is inserted */
  result: unknown;
  /** the account's root: the usage change of the accepted messages goes to the outbox (reporting/usage-outbox.ts) under it */
  rootAccountId: string;
  /** the account's path (root first) the send was decided on: the batch is written only when the chain, read under the tree's move lock, still has it */
  accountPath: string[];
}

/** What insertBatch did. */
export interface InsertedBatch {
  /** false: the account moved since the send was decided (nothing written) */
  sameChain: boolean;
  /** false: a batch with this idempotency key exists (a concurrent request with the same key; nothing written) */
  created: boolean;
  /** some ACTIVE endpoint receives the account's message.status events */
  subscribed: boolean;
  /** the messages written (a number opted out meanwhile is left out) */
  inserted: { id: string; parts: number }[];
}

export interface NewMessages {
  status: 'QUEUED' | 'SCHEDULED';
  senderId: string | null;
  senderValue: string;
  usageDay: string;
  wantsReceipt: boolean;
  /** per message, in the same order */
  ids: string[];
  phones: string[];
  contactIds: (string | null)[];
  bodies: string[];
  parts: number[];
  encodings: SmsEncoding[];
}

/**
 * The first statement of a send's transaction (issue 19: what took three): takes the tree's move
 * lock and reads the account's chain under it (lockedChainSql, shared until the transaction ends:
 * a move cannot commit before the send does), and only when the chain still has the path the send
 * was decided on, claims the idempotency key with a new batch, inserts its messages (each with the
 * send's traceparent, which its delivery continues, and its tree's root), skipping numbers that
 * opted out meanwhile, and queues their usage change (messages, parts, cost: each part costs a
 * unit); and says whether any endpoint receives the account's message.status events (the webhook
 * read publishStatusChanges would make first). Nothing is written when the chain changed or a
 * concurrent request claimed the key first (its transaction decided).
 */
export async function insertBatch(tx: Sql, batch: NewBatch, messages: NewMessages): Promise<InsertedBatch> {
  const rows = await queryRows<{ id: string | null; parts: number | null; same_chain: boolean; created: boolean; subscribed: boolean }>(
    tx,
    `WITH ${batchCtes(false)}
     SELECT i.id, i.parts, f.same_chain, f.created, f.subscribed
       FROM (SELECT (SELECT ok FROM same_chain) AS same_chain, EXISTS (SELECT 1 FROM batch) AS created, ${SUBSCRIBED} AS subscribed) AS f
       LEFT JOIN inserted i ON true`,
    batchParameters(batch, messages),
  );
  const [first] = rows;
  return {
    sameChain: first.same_chain,
    created: first.created,
    subscribed: first.subscribed,
    inserted: first.id === null ? [] : rows.map((r) => ({ id: r.id!, parts: r.parts! })),
  };
}

const SUBSCRIBED = hasSubscriberSql(`'message.status'`, '$1::uuid', '$25::uuid[]');

/**
 * The CTEs of insertBatch (its 25 parameters: batchParameters): `chain` and `same_chain` (the move
 * lock and the chain), `batch`, `inserted`, `usage`; `oneStatement` adds the status events of the
 * inserted messages where an endpoint receives them (`events`), and makes `usage` and `events`
 * answer a row each, so that a later CTE can be made to run after them.
 */
function batchCtes(oneStatement: boolean): string {
  return `chain AS (${lockedChainSql('$1')}
     ), same_chain AS (
       SELECT EXISTS (SELECT 1 FROM chain c WHERE c.id = $1 AND c.path IS NOT NULL AND string_to_array(c.path, ',')::uuid[] = $25::uuid[]) AS ok
     ), batch AS (
       INSERT INTO messaging.send_batches (id, account_id, user_id, idempotency_key, request_hash, reservation_id, credit_state, send_at, units, result, api_key_id, root_account_id)
       SELECT $8::uuid, $1::uuid, $2::uuid, $16::text, $17::text, $18::uuid, $19::text, $13::timestamptz, $20::int, $21::jsonb, $22::uuid, $23::uuid
        WHERE (SELECT ok FROM same_chain)
       ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id
     ), inserted AS (
       INSERT INTO messaging.messages (id, account_id, user_id, recipient, contact_id, body, parts, status, batch_id, sender_id, sender_value, encoding, cost_units, usage_day, send_at, wants_receipt, traceparent, root_account_id)
       SELECT r.id, $1, $2, r.phone, r.contact_id, r.body, r.parts, $7, $8, $9, $10, r.encoding, r.parts, $12::date, $13::timestamptz, $14::boolean, $24::text, $23::uuid
         FROM unnest($3::text[], $4::uuid[], $5::uuid[], $6::text[], $11::int[], $15::text[]) AS r(phone, contact_id, id, body, parts, encoding)
        WHERE EXISTS (SELECT 1 FROM batch)
          AND NOT EXISTS (SELECT 1 FROM messaging.opt_outs o WHERE o.account_id = $1 AND o.phone_number = r.phone)
       RETURNING id, parts${oneStatement ? ', batch_id, status, recipient, error_code' : ''}
     ), usage AS (
       INSERT INTO messaging.usage_outbox (root_account_id, account_id, user_id, sender_id, day, messages, parts, delivered, failed, cost_units)
       SELECT $23::uuid, $1, $2, $9, $12::date, count(*), sum(parts), 0, 0, sum(parts) FROM inserted HAVING count(*) > 0${oneStatement ? ' RETURNING 1' : ''}
     )${
       oneStatement
         ? `, events AS (
       ${eventsInsertSql('messaging', 'message.status', `SELECT $1::uuid AS account_id, $25::uuid[] AS account_path, ${statusEventData('m', 'NULL::text')} AS data FROM inserted m WHERE ${SUBSCRIBED}`)}
       RETURNING 1
     )`
         : ''
     }`;
}

function batchParameters(batch: NewBatch, messages: NewMessages): unknown[] {
  return [
    batch.accountId,
    batch.userId,
    messages.phones,
    messages.contactIds,
    messages.ids,
    messages.bodies,
    messages.status,
    batch.id,
    messages.senderId,
    messages.senderValue,
    messages.parts,
    messages.usageDay,
    batch.sendAt,
    messages.wantsReceipt,
    messages.encodings,
    batch.idempotencyKey,
    batch.requestHash,
    batch.reservationId,
    batch.reservationId ? 'HELD' : 'NONE',
    batch.units,
    JSON.stringify(batch.result),
    batch.apiKeyId,
    batch.rootAccountId,
    currentTraceparent(),
    batch.accountPath,
  ];
}

/**
 * A send's reads before it decides, in one statement (issue 19) with the account's chain and the
 * caller's grants (AccessControl.readWithChainAndGrants: require() then decides without a statement):
 * the setting overrides of the accounts on its path (settingOverridesSql of @platform/authz;
 * effectiveSettingsAlongPath resolves them) and which of the numbers asked opted out of the account.
 */
export async function sendSettingsAndOptOuts(access: AccessControl, accountId: string, phones: string[]): Promise<{ overrides: Map<string, Partial<SettingValues>>; optedOut: Set<string> }> {
  const row = await access.readWithChainAndGrants<{ overrides: Record<string, Partial<SettingValues>>; opted_out: string[] }>(
    accountId,
    (path, parameter) => `${settingOverridesSql(path)} AS overrides, ARRAY(${optedOutSql(`${parameter(1)}::uuid`, `${parameter(2)}::text[]`)}) AS opted_out`,
    [accountId, phones],
  );
  return { overrides: settingOverridesOf(row.overrides), optedOut: new Set(row.opted_out) };
}

/** Why a send's one statement refused itself (messaging.refuse_send); nothing of it was written. */
export type OneStatementRefusal =
  | { reason: 'CHAIN_CHANGED' | 'REPLAY' }
  /** the send needs its transaction (a number opted out meanwhile, the tree's first activity entry) */
  | { reason: 'TRANSACTIONAL' }
  | { reason: 'OUTSIDE_LIMIT'; counted: unknown };

/**
 * A send in one statement, its own transaction (issue 19): insertBatch's CTEs (the move lock and
 * chain, the batch, its messages, their usage change and, where an endpoint receives them, their
 * status events), then the SMS counters (`limits`, counted only once every message is in), then the
 * activity entry (`entry`, the tree's head locked only once every counter held). PostgreSQL commits
 * it as it ends: a tree's shared rows (counters, activity head) are held for the end of one
 * statement and its commit, with no round trip to this process in between. Whatever refuses the send
 * aborts the statement (messaging.refuse_send), so a refusal writes nothing; it is answered as a
 * OneStatementRefusal. Answers the appended entry's seq, prev_hash and hash.
 */
export async function sendInOneStatement(
  db: Sql,
  batch: NewBatch,
  messages: NewMessages,
  limits: { ctes: string; parameters: unknown[]; when: string; answer: string },
  entry: { ctes: string; parameters: unknown[] },
): Promise<{ seq: string; prev_hash: string; hash: string } | OneStatementRefusal> {
  try {
    const [row] = await queryRows<{ seq: string; prev_hash: string; hash: string }>(
      db,
      // prepared: the text depends on the code path only (values are parameters), so a connection keeps a few
      prepared(`WITH ${batchCtes(true)}, ${limits.ctes}, ${entry.ctes}
       SELECT CASE
                WHEN NOT (SELECT ok FROM same_chain) THEN messaging.refuse_send('CHAIN_CHANGED', NULL)
                WHEN NOT EXISTS (SELECT 1 FROM batch) THEN messaging.refuse_send('REPLAY', NULL)
                WHEN (SELECT count(*) FROM inserted) <> cardinality($5::uuid[]) THEN messaging.refuse_send('TRANSACTIONAL', 'a number opted out meanwhile')
                WHEN NOT (${limits.when}) THEN messaging.refuse_send('OUTSIDE_LIMIT', (${limits.answer})::text)
                WHEN next.seq IS NULL THEN messaging.refuse_send('TRANSACTIONAL', 'the tree has no activity head yet')
                ELSE true
              END AS sent,
              next.seq::text AS seq, next.prev_hash, next.hash
         FROM (SELECT 1) AS one LEFT JOIN next ON true`),
      [...batchParameters(batch, messages), ...limits.parameters, ...entry.parameters],
    );
    return row;
  } catch (error) {
    const refused = (error as { driverError?: unknown }).driverError ?? error;
    const { code, hint, message, detail } = refused as { code?: string; hint?: string; message?: string; detail?: string };
    if (code !== 'P0001' || hint !== 'messaging.refuse_send') throw error;
    if (message === 'OUTSIDE_LIMIT') return { reason: 'OUTSIDE_LIMIT', counted: JSON.parse(detail ?? '[]') };
    if (message === 'CHAIN_CHANGED' || message === 'REPLAY' || message === 'TRANSACTIONAL') return { reason: message };
    throw error;
  }
}

/** The first parameter after sendInOneStatement's own (insertBatch's 25). */
export const ONE_STATEMENT_FIRST_FREE_PARAMETER = 26;

/** The condition under which the one statement counts SMS: every message in, its usage change and events (if any) written first. */
export const ONE_STATEMENT_COUNT_WHEN = `(SELECT count(*) FROM inserted) = cardinality($5::uuid[]) AND (SELECT count(*) FROM usage) >= 0 AND (SELECT count(*) FROM events) >= 0`;

/** Stores the batch's answer (for replays) and the units of what was accepted. */
export async function completeBatch(tx: Sql, batchId: string, answer: unknown, units: number): Promise<void> {
  await tx.query(`UPDATE messaging.send_batches SET result = $2, units = $3 WHERE id = $1`, [batchId, JSON.stringify(answer), units]);
}

/** An account as messaging knows it: its id (the entity is the hierarchy's). */
export interface AccountReference {
  id: string;
  /** loaded with the other references of its `_entities` call (accountEntities): the count, or the refusal */
  messageCount?: number | Error;
}

/** For a DataLoader: the API key each batch was sent with (null when none). */
export async function apiKeyIdsOfBatches(db: Sql, batchIds: readonly string[]): Promise<(string | null)[]> {
  const rows = await queryRows<{ id: string; apiKeyId: string }>(
    db,
    `SELECT id, api_key_id AS "apiKeyId" FROM messaging.send_batches WHERE id = ANY($1::uuid[]) AND api_key_id IS NOT NULL`,
    [batchIds],
  );
  return byKey(batchIds, rows, (row) => row.id).map((row) => row?.apiKeyId ?? null);
}
