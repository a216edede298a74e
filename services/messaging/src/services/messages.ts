import crypto from 'node:crypto';
import { loadEffectiveSettingsAlongPath } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import { queryRows } from '@platform/db';
import type { MessagingContext } from '../context';
import { requireE164 } from '../phone';
import { applyUsage } from '../reporting/usage';
import { usageChanges, type UsageRow } from '../pipeline/usage-changes';
import { localDate } from '../sending-window';
import { countSmsParts } from '../sms-encoding';
import { mutate, outboundAuthorScope, requireActiveChain } from './access';
import { decodeCursor, encodeCursor } from './contacts';
import { evaluateAutomation, sendAutoReplies, type PendingReply } from '../features/automation';

export interface MessageRow {
  id: string;
  account_id: string;
  user_id: string | null;
  batch_id: string | null;
  contact_id: string | null;
  sender_id: string | null;
  sender_value: string;
  recipient: string;
  body: string;
  encoding: string;
  parts: number;
  cost_units: number;
  status: string;
  error_code: string | null;
  send_at: Date;
  sent_at: Date | null;
  status_at: Date | null;
  created_at: Date;
}

const COLUMNS = `id, account_id, user_id, batch_id, contact_id, sender_id, sender_value, recipient, body, encoding, parts, cost_units, status, error_code, send_at, sent_at, status_at, created_at`;

export interface MessageFilter {
  status?: string[] | null;
  userId?: string | null;
  senderId?: string | null;
  batchId?: string | null;
  from?: string | null;
  to?: string | null;
}

export const MessageService = {
  /** SPEC M1/R2: cursor-paginated, newest first; basic users see only their own messages. */
  async list(ctx: MessagingContext, accountId: string, filter: MessageFilter | null, first: number, after: string | null) {
    await ctx.access.require(accountId, 'account.view');
    const author = await outboundAuthorScope(ctx, accountId);
    if (first < 1 || first > 500) throw errors.badInput('first must be between 1 and 500', 'first');
    const cursor = after ? decodeCursor(after) : null;
    const date = (value: string | null | undefined, field: string) => {
      if (!value) return null;
      const parsed = new Date(value);
      if (Number.isNaN(parsed.getTime())) throw errors.badInput(`${field} must be an ISO 8601 date-time`, field);
      return parsed;
    };
    const rows = await queryRows<MessageRow>(
      ctx.dataSource,
      `SELECT ${COLUMNS} FROM messaging.messages
        WHERE account_id = $1
          AND ($2::uuid IS NULL OR user_id = $2)
          AND ($3::text[] IS NULL OR status = ANY($3::text[]))
          AND ($4::uuid IS NULL OR sender_id = $4)
          AND ($5::uuid IS NULL OR batch_id = $5)
          AND ($6::timestamptz IS NULL OR created_at >= $6)
          AND ($7::timestamptz IS NULL OR created_at < $7)
          AND ($8::timestamptz IS NULL OR (created_at, id) < ($8::timestamptz, $9::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $10`,
      [
        accountId,
        author ?? (filter?.userId ? assertId(filter.userId, 'userId') : null),
        filter?.status?.length ? filter.status : null,
        filter?.senderId ? assertId(filter.senderId, 'senderId') : null,
        filter?.batchId ? assertId(filter.batchId, 'batchId') : null,
        date(filter?.from, 'from'),
        date(filter?.to, 'to'),
        cursor?.at ?? null,
        cursor?.id ?? null,
        first + 1,
      ],
    );
    const page = rows.slice(0, first);
    const last = page[page.length - 1];
    return { nodes: page, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.created_at, last.id) : null };
  },

  /** Cancels a SCHEDULED message; its credit goes back when its batch is settled (or at once when nothing of the batch remains). */
  async cancel(ctx: MessagingContext, id: string): Promise<MessageRow> {
    const [message] = await queryRows<MessageRow>(ctx.dataSource, `SELECT ${COLUMNS} FROM messaging.messages WHERE id = $1`, [assertId(id)]);
    if (!message || !(await ctx.access.canView(message.account_id))) throw errors.notFound('Message');
    const chain = await ctx.access.require(message.account_id, 'messages.send');
    if ((await ctx.access.dataScope(message.account_id, 'reports')) !== 'ALL' && message.user_id !== ctx.access.userId) throw errors.notFound('Message');
    const { row, releaseReservation } = await mutate(ctx, chain, 'cancelMessage', async (tx) => {
      const [cancelled] = await queryRows<MessageRow & UsageRow>(
        tx,
        `UPDATE messaging.messages SET status = 'CANCELLED', status_at = now() WHERE id = $1 AND status = 'SCHEDULED' RETURNING ${COLUMNS}, usage_day::text`,
        [message.id],
      );
      if (!cancelled) throw new AppError('INVALID_STATE', `Only a scheduled message can be cancelled (this one is ${message.status})`);
      await applyUsage(tx, usageChanges([cancelled], (r) => ({ messages: -1, parts: -(r.parts ?? 0), delivered: 0, failed: 0, costUnits: -(r.cost_units ?? 0) })));
      const [batch] = await queryRows<{ reservation_id: string | null }>(
        tx,
        `UPDATE messaging.send_batches b SET credit_state = 'RELEASED'
          WHERE b.id = $1 AND b.credit_state = 'HELD'
            AND NOT EXISTS (SELECT 1 FROM messaging.messages m WHERE m.batch_id = b.id AND m.status <> 'CANCELLED')
          RETURNING b.reservation_id`,
        [cancelled.batch_id],
      );
      return { result: { row: cancelled, releaseReservation: batch?.reservation_id ?? null }, targetType: 'Message', targetId: message.id, before: { status: message.status }, after: { status: 'CANCELLED' } };
    });
    if (releaseReservation) await ctx.billing.release(releaseReservation).catch((error) => ctx.logger.warn({ err: error }, 'release failed; the billing sweeper expires the hold'));
    return row;
  },
};

export interface ConversationRow {
  id: string;
  account_id: string;
  phone_number: string;
  last_message_at: Date;
}

export const InboxService = {
  /** SPEC M4: advanced users and admins see the account's conversations, basic users those of their own messages. */
  async list(ctx: MessagingContext, accountId: string, first: number, after: string | null) {
    await ctx.access.require(accountId, 'account.view');
    const scope = await ctx.access.dataScope(accountId, 'inbox');
    if (scope === 'NONE') throw errors.forbidden('Missing permission "inbox" on this account');
    if (first < 1 || first > 200) throw errors.badInput('first must be between 1 and 200', 'first');
    const cursor = after ? decodeCursor(after) : null;
    const rows = await queryRows<ConversationRow>(
      ctx.dataSource,
      `SELECT c.id, c.account_id, c.phone_number, c.last_message_at FROM messaging.conversations c
        WHERE c.account_id = $1
          AND ($2::uuid IS NULL OR EXISTS (SELECT 1 FROM messaging.messages m WHERE m.account_id = c.account_id AND m.recipient = c.phone_number AND m.user_id = $2))
          AND ($3::timestamptz IS NULL OR (c.last_message_at, c.id) < ($3::timestamptz, $4::uuid))
        ORDER BY c.last_message_at DESC, c.id DESC LIMIT $5`,
      [accountId, scope === 'OWN' ? ctx.access.userId ?? crypto.randomUUID() : null, cursor?.at ?? null, cursor?.id ?? null, first + 1],
    );
    const page = rows.slice(0, first);
    const last = page[page.length - 1];
    return { nodes: page, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.last_message_at, last.id) : null };
  },

  async conversationForReply(ctx: MessagingContext, id: string): Promise<{ conversation: ConversationRow; own: boolean }> {
    const [conversation] = await queryRows<ConversationRow>(ctx.dataSource, `SELECT id, account_id, phone_number, last_message_at FROM messaging.conversations WHERE id = $1`, [assertId(id)]);
    if (!conversation || !(await ctx.access.canView(conversation.account_id))) throw errors.notFound('Conversation');
    const scope = await ctx.access.dataScope(conversation.account_id, 'inbox');
    if (scope === 'NONE') throw errors.notFound('Conversation');
    return { conversation, own: scope === 'OWN' };
  },

  /** Resubscribes an opted-out number (SPEC M5: admins). */
  async resubscribe(ctx: MessagingContext, accountId: string, phoneNumber: string): Promise<boolean> {
    const chain = await ctx.access.require(accountId, 'system-configuration');
    requireActiveChain(chain);
    const phone = requireE164(phoneNumber, ctx.config.messaging.defaultCountry);
    return mutate(ctx, chain, 'resubscribeContact', async (tx) => {
      const removed = await queryRows<{ phone_number: string }>(tx, `DELETE FROM messaging.opt_outs WHERE account_id = $1 AND phone_number = $2 RETURNING phone_number`, [chain.id, phone]);
      if (removed.length === 0) throw new AppError('INVALID_STATE', 'This number has not opted out of the account');
      return { result: true, targetType: 'OptOut' };
    });
  },
};

export interface InboundResult {
  conversationId: string;
  optedOut: boolean;
  confirmationMessageId: string | null;
}

/**
 * An inbound SMS for an account (SPEC M4, M5): threaded into the conversation of its number; a body
 * that is one of the account's opt-out keywords (case-insensitive) unsubscribes the number from that
 * account and queues a free confirmation. Used by the loopback carrier's test hook.
 */
export async function receiveInbound(ctx: MessagingContext, accountId: string, from: string, body: string): Promise<InboundResult> {
  if (!ctx.config.messaging.testRoutes) throw new AppError('NOT_AVAILABLE_IN_PRODUCTION', 'Injecting inbound messages is a development and test facility');
  const chain = await ctx.access.require(accountId, 'deployment');
  const phone = requireE164(from, ctx.config.messaging.defaultCountry, 'from');
  if (body.length === 0 || body.length > MAX_INBOUND) throw errors.badInput(`body must have 1 to ${MAX_INBOUND} characters`, 'body');
  const settingsPath = await loadEffectiveSettingsAlongPath(ctx.dataSource, chain.path);
  const settings = settingsPath[settingsPath.length - 1].values;
  const keyword = body.trim().toUpperCase();
  const optOut = settings.optOutKeywords.includes(keyword);
  let autoReplies: PendingReply[] = [];
  const inboundResult = await mutate(ctx, chain, 'injectInboundMessage', async (tx) => {
    const [conversation] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO messaging.conversations (account_id, phone_number) VALUES ($1, $2)
       ON CONFLICT (account_id, phone_number) DO UPDATE SET last_message_at = now() RETURNING id`,
      [chain.id, phone],
    );
    const [inbound] = await queryRows<{ id: string }>(
      tx,
      `INSERT INTO messaging.inbound_messages (account_id, conversation_id, from_number, body, opt_out) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [chain.id, conversation.id, phone, body, optOut],
    );
    let confirmationMessageId: string | null = null;
    if (optOut) {
      const added = await queryRows<{ phone_number: string }>(
        tx,
        `INSERT INTO messaging.opt_outs (account_id, phone_number, keyword) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING phone_number`,
        [chain.id, phone, keyword],
      );
      if (added.length) {
        const text = 'You have been unsubscribed and will receive no more messages from us.';
        const { encoding, parts } = countSmsParts(text);
        const day = localDate(new Date(), settings.timezone);
        const [confirmation] = await queryRows<{ id: string }>(
          tx,
          `INSERT INTO messaging.messages (account_id, recipient, body, parts, status, encoding, cost_units, usage_day, wants_receipt)
           VALUES ($1, $2, $3, $4, 'QUEUED', $5, 0, $6, false) RETURNING id`,
          [chain.id, phone, text, parts, encoding, day],
        );
        confirmationMessageId = confirmation.id;
        await applyUsage(tx, [{ accountId: chain.id, userId: null, senderId: null, day, messages: 1, parts, delivered: 0, failed: 0, costUnits: 0 }]);
      }
    }
    // Automation rules (SPEC M11): forwards in this transaction, auto-replies once it has committed.
    autoReplies = await evaluateAutomation(tx, ctx, chain, { inboundId: inbound.id, conversationId: conversation.id, phone, body, optOut });
    return { result: { conversationId: conversation.id, optedOut: optOut, confirmationMessageId }, targetType: 'InboundMessage', targetId: conversation.id, after: { optOut } };
  });
  await sendAutoReplies(ctx, chain, autoReplies);
  return inboundResult;
}

const MAX_INBOUND = 1600;
