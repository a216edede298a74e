import { errors } from '@platform/errors';
import type { Resolvers } from '../__generated__/resolvers-types';
import { numberPolicy } from '../access/access';
import { MessageService, send } from './service';

export const resolvers: Resolvers = {
  Query: {
    messages: (_, args, ctx) => MessageService.list(ctx, args.accountId, args.filter ?? null, args.first, args.after ?? null),
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
    __resolveReference: (reference) => ({ id: reference.id }),
    messageCount: async (account, _, ctx) => {
      const scope = await ctx.access.dataScope(account.id, 'reports');
      if (scope === 'ALL') return ctx.loaders.messageCountByAccountId.load(account.id);
      if (scope === 'OWN') return ctx.loaders.ownMessageCountByAccountId.load(account.id);
      throw errors.forbidden('Missing permission "reports" on this account');
    },
  },
  Message: {
    accountId: (m) => m.account_id,
    userId: (m) => m.user_id,
    batchId: (m) => m.batch_id,
    contactId: (m) => m.contact_id,
    senderId: (m) => m.sender_id,
    sender: async (m, _, ctx) => (m.sender_value.startsWith('+') ? (await numberPolicy(ctx, m.account_id)).show(m.sender_value) : m.sender_value),
    recipient: async (m, _, ctx) => (await numberPolicy(ctx, m.account_id)).show(m.recipient),
    costUnits: (m) => m.cost_units,
    errorCode: (m) => m.error_code,
    sendAt: (m) => m.send_at,
    sentAt: (m) => m.sent_at,
    statusAt: (m) => m.status_at,
    createdAt: (m) => m.created_at,
  },
};
