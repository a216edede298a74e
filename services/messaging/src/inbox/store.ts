import { groupBy, keysetSql, queryRows, type PageRequest, type Sql } from '@platform/db';
import type { MessageStatus } from '../__generated__/resolvers-types';

export interface ConversationRow {
  id: string;
  accountId: string;
  phoneNumber: string;
  lastMessageAt: Date;
}

export interface ConversationEntryRow {
  id: string;
  direction: 'INBOUND' | 'OUTBOUND';
  body: string;
  status: MessageStatus | null;
  at: Date;
}

const COLUMNS = 'c.id, c.account_id AS "accountId", c.phone_number AS "phoneNumber", c.last_message_at AS "lastMessageAt"';

/** A page of the conversations of an account, latest first; with `userId`, only those of numbers that user sent to. */
export function conversationsPage(db: Sql, query: { accountId: string; userId: string | null }, page: PageRequest<readonly [string, string]>): Promise<(ConversationRow & { sortKey: string })[]> {
  const keyset = keysetSql(page, { columns: ['c.last_message_at', 'c.id'], types: ['timestamptz', 'uuid'], order: 'DESC', firstParameter: 3 });
  return queryRows<ConversationRow & { sortKey: string }>(
    db,
    `SELECT ${COLUMNS}, c.last_message_at::text AS "sortKey" FROM messaging.conversations c
      WHERE c.account_id = $1
        AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM messaging.messages m WHERE m.account_id = c.account_id AND m.recipient = c.phone_number AND m.user_id = $2))
        AND ${keyset.where}
      ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}`,
    [query.accountId, query.userId, ...keyset.parameters],
  );
}

export async function findConversation(db: Sql, id: string): Promise<ConversationRow | null> {
  const [conversation] = await queryRows<ConversationRow>(db, `SELECT ${COLUMNS} FROM messaging.conversations c WHERE c.id = $1`, [id]);
  return conversation ?? null;
}

/**
 * The same page of each conversation's messages, both ways, oldest first (a keyset page on (at, id));
 * outbound ones of `authorId` only when given. One statement for every conversation of an inbox page.
 */
export async function conversationEntryPages(
  db: Sql,
  conversations: readonly ConversationRow[],
  authorId: string | null,
  page: PageRequest<readonly [string, string]>,
): Promise<(ConversationEntryRow & { sortKey: string })[][]> {
  const keyset = keysetSql(page, { columns: ['e.at', 'e.id'], types: ['timestamptz', 'uuid'], order: 'ASC', firstParameter: 5 });
  const rows = await queryRows<ConversationEntryRow & { sortKey: string; conversationId: string }>(
    db,
    `SELECT conversation.id AS "conversationId", e.id, e.direction, e.body, e.status, e.at, e.at::text AS "sortKey"
       FROM unnest($1::uuid[], $2::uuid[], $3::text[]) WITH ORDINALITY AS conversation(id, account_id, phone_number, position)
       CROSS JOIN LATERAL (
         SELECT * FROM (
           SELECT m.id, 'OUTBOUND' AS direction, m.body, m.status, m.created_at AS at FROM messaging.messages m
            WHERE m.account_id = conversation.account_id AND m.recipient = conversation.phone_number AND ($4::uuid IS NULL OR m.user_id = $4)
           UNION ALL
           SELECT i.id, 'INBOUND', i.body, NULL, i.received_at FROM messaging.inbound_messages i WHERE i.conversation_id = conversation.id) e
          WHERE ${keyset.where}
          ORDER BY ${keyset.orderBy} LIMIT ${keyset.limit}) e
      ORDER BY conversation.position, ${keyset.orderBy}`,
    [conversations.map((c) => c.id), conversations.map((c) => c.accountId), conversations.map((c) => c.phoneNumber), authorId, ...keyset.parameters],
  );
  return groupBy(
    conversations.map((c) => c.id),
    rows,
    (row) => row.conversationId,
  );
}

/** The conversation of the number (created on its first message), its last message time set to now. */
export async function touchConversation(tx: Sql, accountId: string, phone: string): Promise<string> {
  const [conversation] = await queryRows<{ id: string }>(
    tx,
    `INSERT INTO messaging.conversations (account_id, phone_number) VALUES ($1, $2)
     ON CONFLICT (account_id, phone_number) DO UPDATE SET last_message_at = now() RETURNING id`,
    [accountId, phone],
  );
  return conversation.id;
}

export async function insertInboundMessage(tx: Sql, inbound: { accountId: string; conversationId: string; phone: string; body: string; optOut: boolean }): Promise<{ id: string; receivedAt: Date }> {
  const [row] = await queryRows<{ id: string; receivedAt: Date }>(
    tx,
    `INSERT INTO messaging.inbound_messages (account_id, conversation_id, from_number, body, opt_out) VALUES ($1, $2, $3, $4, $5) RETURNING id, received_at AS "receivedAt"`,
    [inbound.accountId, inbound.conversationId, inbound.phone, inbound.body, inbound.optOut],
  );
  return row;
}

/** A free message of the account to the number, queued at once, without a receipt. */
export async function insertFreeMessage(tx: Sql, message: { accountId: string; phone: string; body: string; parts: number; encoding: string; usageDay: string }): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    tx,
    `INSERT INTO messaging.messages (account_id, recipient, body, parts, status, encoding, cost_units, usage_day, wants_receipt)
     VALUES ($1, $2, $3, $4, 'QUEUED', $5, 0, $6, false) RETURNING id`,
    [message.accountId, message.phone, message.body, message.parts, message.encoding, message.usageDay],
  );
  return row.id;
}
