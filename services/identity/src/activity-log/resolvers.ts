import type { ActivityLogEntryResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { ActivityLogService } from './service';

const Query: QueryResolvers = {
  activityLog: (_root, args, ctx) => new ActivityLogService(ctx).page(args.accountId, args.filter ?? {}, args),
  operatorLog: (_root, args, ctx) => new ActivityLogService(ctx).operatorPage(args.accountId, args.filter ?? {}, args),
  verifyActivityLog: (_root, args, ctx) => new ActivityLogService(ctx).verify(args.accountId),
};

const ActivityLogEntry: ActivityLogEntryResolvers = {
  actor: (entry, _args, ctx) => (entry.actorKind === 'USER' && entry.actorId ? ctx.loaders.userById.load(entry.actorId) : null),
  targetAccount: (entry) => (entry.targetAccountId ? { __typename: 'Account', id: entry.targetAccountId } : null),
};

export const resolvers: Resolvers = { Query, ActivityLogEntry };
