import { PERMISSIONS } from '@platform/authz';
import { errors } from '@platform/errors';
import { ActivityLogService, type ActivityLogFilter } from '../activity-log-service';
import type { IdentityContext } from '../context';

export const Query = {
  me: async (_root: unknown, _args: unknown, ctx: IdentityContext) => {
    const userId = ctx.access.userId;
    const user = userId ? await ctx.loaders.userById.load(userId) : null;
    if (!user) throw errors.unauthenticated();
    return { user };
  },
  permissionCatalogue: () => [...PERMISSIONS],
  activityLog: (_root: unknown, args: { accountId: string; filter?: ActivityLogFilter | null; first?: number | null; after?: string | null }, ctx: IdentityContext) =>
    new ActivityLogService(ctx).page(args.accountId, args.filter ?? {}, args.first ?? 50, args.after),
  verifyActivityLog: (_root: unknown, args: { accountId: string }, ctx: IdentityContext) => new ActivityLogService(ctx).verify(args.accountId),
};
