import type { MessagingContext } from '../context';
import { numberPolicy, outboundAuthorScope } from '../access/access';
import { send } from '../sending/service';
import { InboxService, receiveInbound } from './service';
import { conversationEntries, type ConversationRow } from './store';

export const resolvers = {
  Query: {
    inbox: (_: unknown, args: { accountId: string; first: number; after?: string | null }, ctx: MessagingContext) => InboxService.list(ctx, args.accountId, args.first, args.after ?? null),
  },
  Mutation: {
    replyToConversation: async (_: unknown, args: { conversationId: string; body: string; senderId?: string | null; idempotencyKey?: string | null }, ctx: MessagingContext) => {
      const { conversation, own } = await InboxService.conversationForReply(ctx, args.conversationId);
      return send(ctx, { accountId: conversation.account_id, to: [conversation.phone_number], body: args.body, senderId: args.senderId, idempotencyKey: args.idempotencyKey }, 'replyToConversation', own);
    },
    injectInboundMessage: (_: unknown, args: { accountId: string; from: string; body: string }, ctx: MessagingContext) => receiveInbound(ctx, args.accountId, args.from, args.body),
  },
  Conversation: {
    accountId: (c: ConversationRow) => c.account_id,
    phoneNumber: async (c: ConversationRow, _: unknown, ctx: MessagingContext) => (await numberPolicy(ctx, c.account_id)).show(c.phone_number),
    lastMessageAt: (c: ConversationRow) => new Date(c.last_message_at).toISOString(),
    messages: async (c: ConversationRow, _: unknown, ctx: MessagingContext) => {
      const rows = await conversationEntries(ctx.dataSource, c, await outboundAuthorScope(ctx, c.account_id));
      return rows.map((r) => ({ ...r, at: new Date(r.at).toISOString() }));
    },
  },
};
