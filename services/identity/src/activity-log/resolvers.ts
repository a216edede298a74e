import type { QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { ActivityLogService } from './service';

const Query: QueryResolvers = {
  activityLog: (_root, args, ctx) => new ActivityLogService(ctx).page(args.accountId, args.filter ?? {}, args),
  operatorLog: (_root, args, ctx) => new ActivityLogService(ctx).operatorPage(args.accountId, args.filter ?? {}, args),
  verifyActivityLog: (_root, args, ctx) => new ActivityLogService(ctx).verify(args.accountId),
};

export const resolvers: Resolvers = { Query };
