import { errors } from '@platform/errors';
import type { MessagingContext } from '../context';

export const Account = {
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  messageCount: async (account: { id: string }, _args: unknown, ctx: MessagingContext) => {
    const scope = await ctx.access.dataScope(account.id, 'reports');
    if (scope === 'ALL') return ctx.loaders.messageCountByAccountId.load(account.id);
    if (scope === 'OWN') return ctx.loaders.ownMessageCountByAccountId.load(account.id);
    throw errors.forbidden('Missing permission "reports" on this account');
  },
};
