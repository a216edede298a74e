import { errors, isUuid } from '@platform/errors';
import type { AccountResolvers, CreditLimitResolvers, LedgerEntryResolvers, MutationResolvers, Resolvers, UserCreditResolvers } from '../__generated__/resolvers-types';
import { pageSize } from '../page-size';
import { visibleAccount } from '../read-model';
import { ledgerEntries, payingAccountOfReservation, type LimitRow } from './store';

function instant(value: string | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw errors.badInput(`${field} must be an ISO 8601 instant`, field);
  return date;
}

const remaining = (row: LimitRow) => Number(row.credit_limit) - Number(row.spent) - Number(row.held);

const Account: AccountResolvers = {
  userCredits: (account, _args, ctx) => ctx.loaders.userLimitsByAccountId.load(account.id),
  ledger: async (account, args, ctx) => {
    const limit = pageSize(args.first);
    if (args.after && !/^\d{1,18}$/.test(args.after)) throw errors.badInput('after is not a valid cursor', 'after');
    const filter = args.filter ?? {};
    if (filter.userId && !isUuid(filter.userId)) throw errors.badInput('filter.userId is not a valid id', 'filter.userId');
    const rows = await ledgerEntries(
      ctx.dataSource,
      account.id,
      args.after ?? null,
      { kinds: filter.kinds ?? null, userId: filter.userId ?? null, from: instant(filter.from, 'filter.from'), to: instant(filter.to, 'filter.to') },
      limit + 1,
    );
    const page = rows.slice(0, limit);
    return { entries: page, nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null };
  },
};

const CreditLimit: CreditLimitResolvers = {
  limit: (row) => Number(row.credit_limit),
  spent: (row) => Number(row.spent),
  held: (row) => Number(row.held),
  remaining,
};

const UserCredit: UserCreditResolvers = {
  account: (row) => ({ id: row.account_id }),
  userId: (row) => row.user_id,
  limit: (row) => Number(row.credit_limit),
  monthlyRenewal: (row) => row.monthly_renewal,
  spent: (row) => Number(row.spent),
  held: (row) => Number(row.held),
  remaining,
  periodStart: (row) => row.period_start,
};

const LedgerEntry: LedgerEntryResolvers = {
  payingAccount: (row, _args, ctx) => visibleAccount(row.payingAccountId, ctx.access),
  spendingAccount: (row, _args, ctx) => (row.spendingAccountId ? visibleAccount(row.spendingAccountId, ctx.access) : null),
  units: (row) => Number(row.units),
  balanceAfter: (row) => Number(row.balanceAfter),
};

const Mutation: MutationResolvers = {
  setCreditLimit: async (_root, args, ctx) => {
    await ctx.limits.setCreditLimit(args.accountId, args.limit);
    return { id: args.accountId.toLowerCase() };
  },
  setUserCreditLimit: async (_root, args, ctx) => {
    const kept = await ctx.limits.setUserCreditLimit(args.accountId, args.userId, args.limit, args.monthlyRenewal);
    if (!kept) return null;
    const rows = await ctx.loaders.userLimitsByAccountId.load(args.accountId.toLowerCase());
    return rows.find((r) => r.user_id === args.userId.toLowerCase()) ?? null;
  },

  // Internal (@inaccessible, SERVICE principal only): the send path. Deliberately not in the
  // activity log (SPEC I9): the append-only ledger records every reservation, capture and release.
  reserveCredit: (_root, args, ctx) => ctx.credit.reserve(args.input),
  captureCredit: async (_root, args, ctx) => {
    const { crossedAutoTopUpThreshold, ...reservation } = await ctx.credit.capture(args.reservationId, args.units);
    if (crossedAutoTopUpThreshold) {
      // After the capture committed: the provider call must not delay or undo the debit.
      const payingAccountId = await payingAccountOfReservation(ctx.dataSource, reservation.id);
      void ctx.topUps.autoTopUp(payingAccountId).catch((error) => ctx.logger.error({ err: error }, 'automatic top-up failed'));
    }
    return reservation;
  },
  releaseCredit: (_root, args, ctx) => ctx.credit.release(args.reservationId),
};

export const resolvers: Resolvers = { Account, CreditLimit, UserCredit, LedgerEntry, Mutation };
