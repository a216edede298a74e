import { errors } from '@platform/errors';
import type { MessagingContext } from '../context';
import { numberPolicy } from '../access/access';
import { MessageService, send, type MessageFilter, type SendInput } from './service';
import type { MessageRow } from './store';

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

export const resolvers = {
  Query: {
    messages: (_: unknown, args: { accountId: string; filter?: MessageFilter | null; first: number; after?: string | null }, ctx: MessagingContext) =>
      MessageService.list(ctx, args.accountId, args.filter ?? null, args.first, args.after ?? null),
  },
  Mutation: {
    sendMessage: (_: unknown, args: { input: Omit<SendInput, 'to' | 'contactIds'> & { to?: string | null; contactId?: string | null } }, ctx: MessagingContext) => {
      const { to, contactId, ...rest } = args.input;
      return send(ctx, { ...rest, to: to ? [to] : [], contactIds: contactId ? [contactId] : [] }, 'sendMessage');
    },
    sendBulk: (_: unknown, args: { input: SendInput }, ctx: MessagingContext) => send(ctx, args.input, 'sendBulk'),
    cancelMessage: (_: unknown, args: { id: string }, ctx: MessagingContext) => MessageService.cancel(ctx, args.id),
  },
  Account: {
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
    messageCount: async (account: { id: string }, _args: unknown, ctx: MessagingContext) => {
      const scope = await ctx.access.dataScope(account.id, 'reports');
      if (scope === 'ALL') return ctx.loaders.messageCountByAccountId.load(account.id);
      if (scope === 'OWN') return ctx.loaders.ownMessageCountByAccountId.load(account.id);
      throw errors.forbidden('Missing permission "reports" on this account');
    },
  },
  Message: {
    accountId: (m: MessageRow) => m.account_id,
    userId: (m: MessageRow) => m.user_id,
    batchId: (m: MessageRow) => m.batch_id,
    contactId: (m: MessageRow) => m.contact_id,
    senderId: (m: MessageRow) => m.sender_id,
    sender: async (m: MessageRow, _: unknown, ctx: MessagingContext) => (m.sender_value.startsWith('+') ? (await numberPolicy(ctx, m.account_id)).show(m.sender_value) : m.sender_value),
    recipient: async (m: MessageRow, _: unknown, ctx: MessagingContext) => (await numberPolicy(ctx, m.account_id)).show(m.recipient),
    costUnits: (m: MessageRow) => m.cost_units,
    errorCode: (m: MessageRow) => m.error_code,
    sendAt: (m: MessageRow) => iso(m.send_at),
    sentAt: (m: MessageRow) => iso(m.sent_at),
    statusAt: (m: MessageRow) => iso(m.status_at),
    createdAt: (m: MessageRow) => iso(m.created_at),
  },
};
