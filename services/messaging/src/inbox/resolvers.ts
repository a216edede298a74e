import type { Resolvers } from '../__generated__/resolvers-types';
import { numberPolicy } from '../access/access';
import { send } from '../sending/service';
import { InboxService, receiveInbound } from './service';

export const resolvers: Resolvers = {
  Query: {
    inbox: (_, args, ctx) => InboxService.list(ctx, args),
    conversation: (_, args, ctx) => InboxService.get(ctx, args.id),
  },
  Mutation: {
    replyToConversation: async (_, args, ctx) => {
      const { conversation, own } = await InboxService.conversationForReply(ctx, args.conversationId);
      return send(ctx, { accountId: conversation.accountId, to: [conversation.phoneNumber], body: args.body, senderId: args.senderId, idempotencyKey: args.idempotencyKey }, 'replyToConversation', own);
    },
    injectInboundMessage: (_, args, ctx) => receiveInbound(ctx, args.accountId, args.from, args.body),
  },
  Conversation: {
    phoneNumber: async (c, _, ctx) => (await numberPolicy(ctx, c.accountId)).show(c.phoneNumber),
    messages: (c, args, ctx) => InboxService.entries(ctx, c, args),
  },
};
