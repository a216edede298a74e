import { errors } from '@platform/errors';
import type { IdentityContext } from '../context';

export const Query = {
  me: async (_root: unknown, _args: unknown, ctx: IdentityContext) => {
    const userId = ctx.access.userId;
    const user = userId ? await ctx.loaders.userById.load(userId) : null;
    if (!user) throw errors.unauthenticated();
    return { user };
  },
};
