import { errors } from '@platform/errors';
import type { Resolvers } from '../__generated__/resolvers-types';
import { numberPolicy } from '../access/access';
import { MAX_BODY } from './compose';
import { countSmsParts } from './sms-encoding';
import { MessageService, send } from './service';

export const resolvers: Resolvers = {
  Query: {
    messages: (_, args, ctx) => MessageService.list(ctx, args),
    smsParts: (_, { body }) => {
      if ([...body].length > MAX_BODY) throw errors.badInput(`body must be at most ${MAX_BODY} characters`, 'body');
      const counted = countSmsParts(body);
      return { ...counted, costUnits: counted.parts };
    },
  },
  Mutation: {
    sendMessage: (_, args, ctx) => {
      const { to, contactId, ...rest } = args.input;
      return send(ctx, { ...rest, to: to ? [to] : [], contactIds: contactId ? [contactId] : [] }, 'sendMessage');
    },
    sendBulk: (_, args, ctx) => send(ctx, args.input, 'sendBulk'),
    cancelMessage: (_, args, ctx) => MessageService.cancel(ctx, args.id),
  },
  Account: {
    __resolveReference: (reference, ctx) => ctx.access.resolveReference({ id: reference.id }),
    messageCount: (account, _, ctx) => ctx.loaders.messageCountByAccountId.load(account.id),
  },
  MessageConnection: {
    totalCount: (connection) => connection.count(),
  },
  Message: {
    sender: async (m, _, ctx) => (m.senderValue.startsWith('+') ? (await numberPolicy(ctx, m.accountId)).show(m.senderValue) : m.senderValue),
    recipient: async (m, _, ctx) => (await numberPolicy(ctx, m.accountId)).show(m.recipient),
    sentBy: (m) => (m.userId ? { id: m.userId } : null),
    apiKey: async (m, _, ctx) => {
      const apiKeyId = m.batchId ? await ctx.loaders.apiKeyIdByBatchId.load(m.batchId) : null;
      return apiKeyId ? { id: apiKeyId } : null;
    },
  },
};
