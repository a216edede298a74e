import type { IdentityContext } from '../context';

export const Account = {
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  members: (account: { id: string }, _args: unknown, ctx: IdentityContext) => ctx.loaders.membershipsByAccountId.load(account.id),
};
