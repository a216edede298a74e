import type { IdentityContext } from '../context';
import type { ActivityLogFilter } from '../__generated__/resolvers-types';
import { ActivityLogService } from './service';
import type { ActivityLogEntryRow } from './store';

const iso = (value: Date | null) => (value ? value.toISOString() : null);

const ActivityLogEntry = {
  occurredAt: (entry: ActivityLogEntryRow) => iso(entry.occurred_at),
  actorKind: (entry: ActivityLogEntryRow) => entry.actor_kind,
  actorId: (entry: ActivityLogEntryRow) => entry.actor_id,
  actingAccountId: (entry: ActivityLogEntryRow) => entry.acting_account_id,
  targetAccountId: (entry: ActivityLogEntryRow) => entry.target_account_id,
  targetType: (entry: ActivityLogEntryRow) => entry.target_type,
  targetId: (entry: ActivityLogEntryRow) => entry.target_id,
};

export const resolvers = {
  Query: {
    activityLog: (_root: unknown, args: { accountId: string; filter?: ActivityLogFilter | null; first?: number | null; after?: string | null }, ctx: IdentityContext) =>
      new ActivityLogService(ctx).page(args.accountId, args.filter ?? {}, args.first ?? 50, args.after),
    verifyActivityLog: (_root: unknown, args: { accountId: string }, ctx: IdentityContext) => new ActivityLogService(ctx).verify(args.accountId),
  },
  ActivityLogEntry,
};
