import crypto from 'node:crypto';
import { loadEffectiveSettingsAlongPath, type AccountChain, type SettingValues } from '@platform/authz';
import { pageRequest, toConnection, type Connection, type PageArguments, type Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import { mutate } from '@platform/audit';
import { publishEvent } from '@platform/events';
import type { MessagingContext } from '../context';
import { auditScope, outboundAuthorScope } from '../access/access';
import { nestedPageLoader } from '../nested-pages';
import { sendAutoReplies, evaluateAutomation, type PendingReply } from '../automation/service';
import { insertOptOut } from '../contacts/store';
import { SCHEMA } from '../data-source';
import { requireE164 } from '../phone/phone';
import { publishStatusChanges } from '../pipeline/status-events';
import { applyUsageChanges } from '../reporting/usage';
import { localDate } from '../sending/sending-window';
import { countSmsParts } from '../sending/sms-encoding';
import { hasSentTo } from '../sending/store';
import { conversationEntryPages, conversationsPage, findConversation, insertFreeMessage, insertInboundMessage, touchConversation, type ConversationEntryRow, type ConversationRow } from './store';
import type { InboundResult, QueryInboxArgs } from '../__generated__/resolvers-types';

const INBOX_PAGE = { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] } as const;
const ENTRY_PAGE = { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] } as const;

const MAX_INBOUND = 1600;
const OPT_OUT_CONFIRMATION = 'You have been unsubscribed and will receive no more messages from us.';

export const InboxService = {
  /** SPEC M4: advanced users and admins see the account's conversations, basic users those of their own messages. */
  async list(ctx: MessagingContext, args: QueryInboxArgs) {
    await ctx.access.require(args.accountId, 'account.view');
    const scope = await ctx.access.dataScope(args.accountId, 'inbox');
    if (scope === 'NONE') throw errors.forbidden('Missing permission "inbox" on this account');
    const page = pageRequest(args, INBOX_PAGE);
    const rows = await conversationsPage(ctx.dataSource, { accountId: args.accountId, userId: scope === 'OWN' ? ctx.access.userId ?? crypto.randomUUID() : null }, page);
    return toConnection(rows, page, (row) => [row.sortKey, row.id]);
  },

  /**
   * A page of a conversation's messages (SPEC M4; basic users read only their own outbound ones).
   * The conversations of one request asking for the same page are read in one statement.
   */
  async entries(ctx: MessagingContext, conversation: ConversationRow, args: PageArguments): Promise<Connection<ConversationEntryRow>> {
    const paged = args.first != null || args.after != null || args.last != null || args.before != null;
    const page = pageRequest(paged ? args : { last: ENTRY_PAGE.defaultSize }, ENTRY_PAGE);
    const authorId = await outboundAuthorScope(ctx, conversation.accountId);
    const loader = nestedPageLoader(ctx, ['conversation.messages', authorId], page, (c: ConversationRow) => c.id, (conversations) => conversationEntryPages(ctx.dataSource, conversations, authorId, page));
    const rows = await loader.load(conversation);
    return toConnection(rows, page, (row) => [row.sortKey, row.id]);
  },
  /** A conversation the caller's inbox holds: a basic user's, those of numbers they sent to (as the list). */
  async get(ctx: MessagingContext, id: string): Promise<ConversationRow> {
    const { conversation, own } = await InboxService.conversationForReply(ctx, id);
    if (own && !(await hasSentTo(ctx.dataSource, conversation.accountId, conversation.phoneNumber, ctx.access.userId))) throw errors.notFound('Conversation');
    return conversation;
  },
  async conversationForReply(ctx: MessagingContext, id: string): Promise<{ conversation: ConversationRow; own: boolean }> {
    const conversation = await findConversation(ctx.dataSource, assertId(id));
    if (!conversation || !(await ctx.access.canView(conversation.accountId))) throw errors.notFound('Conversation');
    const scope = await ctx.access.dataScope(conversation.accountId, 'inbox');
    if (scope === 'NONE') throw errors.notFound('Conversation');
    return { conversation, own: scope === 'OWN' };
  },
};

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
  const inboundResult = await mutate(auditScope(ctx, chain), 'injectInboundMessage', async (tx) => {
    const conversationId = await touchConversation(tx, chain.id, phone);
    const inbound = await insertInboundMessage(tx, { accountId: chain.id, conversationId, phone, body, optOut });
    const inboundId = inbound.id;
    await publishEvent(tx, SCHEMA, {
      type: 'message.inbound',
      accountId: chain.id,
      accountPath: chain.path,
      data: { messageId: inboundId, conversationId, from: phone, body, optOut, receivedAt: new Date(inbound.receivedAt).toISOString() },
    });
    const confirmationMessageId = optOut ? await optOutNumber(tx, chain, settings, phone, keyword, inbound) : null;
    // Automation rules (SPEC M11): forwards in this transaction, auto-replies once it has committed.
    autoReplies = await evaluateAutomation(tx, ctx, chain, { inboundId, conversationId, phone, body, optOut });
    return { result: { conversationId, optedOut: optOut, confirmationMessageId }, targetType: 'InboundMessage', targetId: conversationId, after: { optOut } };
  });
  await sendAutoReplies(ctx, chain, autoReplies);
  return inboundResult;
}

/** Unsubscribes the number from the account and queues the free confirmation; its message id, or null when the number had opted out already. */
async function optOutNumber(tx: Sql, chain: AccountChain, settings: SettingValues, phone: string, keyword: string, inbound: { id: string; receivedAt: Date }): Promise<string | null> {
  if (!(await insertOptOut(tx, chain.id, phone, keyword))) return null;
  await publishEvent(tx, SCHEMA, {
    type: 'contact.opted_out',
    accountId: chain.id,
    accountPath: chain.path,
    data: { phoneNumber: phone, keyword, source: 'KEYWORD', inboundMessageId: inbound.id, optedOutAt: new Date(inbound.receivedAt).toISOString() },
  });
  const { encoding, parts } = countSmsParts(OPT_OUT_CONFIRMATION);
  const day = localDate(new Date(), settings.timezone);
  const messageId = await insertFreeMessage(tx, { accountId: chain.id, phone, body: OPT_OUT_CONFIRMATION, parts, encoding, usageDay: day });
  await applyUsageChanges(tx, [{ accountId: chain.id, userId: null, senderId: null, day, messages: 1, parts, delivered: 0, failed: 0, costUnits: 0 }]);
  await publishStatusChanges(tx, [{ id: messageId, account_id: chain.id }], { chains: [chain] });
  return messageId;
}
