import type { ActivityLogEntryResolvers, QueryResolvers, Resolvers } from '../__generated__/resolvers-types';
import { ActivityLogService } from './service';

const ActivityLogEntry: ActivityLogEntryResolvers = {
  occurredAt: (entry) => entry.occurred_at,
  actorKind: (entry) => entry.actor_kind,
  actorId: (entry) => entry.actor_id,
  actingAccountId: (entry) => entry.acting_account_id,
  targetAccountId: (entry) => entry.target_account_id,
  targetType: (entry) => entry.target_type,
  targetId: (entry) => entry.target_id,
};

const Query: QueryResolvers = {
  activityLog: (_root, args, ctx) => new ActivityLogService(ctx).page(args.accountId, args.filter ?? {}, args.first ?? 50, args.after),
  verifyActivityLog: (_root, args, ctx) => new ActivityLogService(ctx).verify(args.accountId),
};

export const resolvers: Resolvers = { Query, ActivityLogEntry };
