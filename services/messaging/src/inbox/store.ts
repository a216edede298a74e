import { queryRows, type Sql } from '@platform/db';
import type { MessageStatus } from '../__generated__/resolvers-types';
import { cursorTimeSql, type CursorKey } from '../paging/cursor';

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

/** Conversations of an account, latest first; with `userId`, only those of numbers that user sent to. */
export function conversationsPage(db: Sql, page: { accountId: string; userId: string | null; before: { at: string; id: string } | null; limit: number }): Promise<(ConversationRow & CursorKey)[]> {
  return queryRows<ConversationRow & CursorKey>(
    db,
    `SELECT ${COLUMNS}, ${cursorTimeSql('c.last_message_at')} AS cursor_at FROM messaging.conversations c
      WHERE c.account_id = $1
        AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM messaging.messages m WHERE m.account_id = c.account_id AND m.recipient = c.phone_number AND m.user_id = $2))
        AND ($3::timestamptz IS NULL OR (c.last_message_at, c.id) < ($3::timestamptz, $4::uuid))
      ORDER BY c.last_message_at DESC, c.id DESC LIMIT $5`,
    [page.accountId, page.userId, page.before?.at ?? null, page.before?.id ?? null, page.limit],
  );
}

export async function findConversation(db: Sql, id: string): Promise<ConversationRow | null> {
  const [conversation] = await queryRows<ConversationRow>(db, `SELECT ${COLUMNS} FROM messaging.conversations c WHERE c.id = $1`, [id]);
  return conversation ?? null;
}

/** The last 50 messages of the conversation both ways, oldest first; outbound ones of `authorId` only when given. */
export function conversationEntries(db: Sql, conversation: ConversationRow, authorId: string | null): Promise<ConversationEntryRow[]> {
  return queryRows<ConversationEntryRow>(
    db,
    `SELECT * FROM (
       SELECT id, 'OUTBOUND' AS direction, body, status, created_at AS at FROM messaging.messages
        WHERE account_id = $1 AND recipient = $2 AND ($4::uuid IS NULL OR user_id = $4)
       UNION ALL
       SELECT id, 'INBOUND', body, NULL, received_at FROM messaging.inbound_messages WHERE conversation_id = $3
       ORDER BY at DESC LIMIT 50) recent ORDER BY at`,
    [conversation.accountId, conversation.phoneNumber, conversation.id, authorId],
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
