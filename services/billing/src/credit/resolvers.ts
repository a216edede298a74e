import { toConnection, withTotalCount, type CountedConnection } from '@platform/db';
import { assertId, errors, isUuid } from '@platform/errors';
import type { AccountResolvers, CreditLimitResolvers, LedgerEntryResolvers, MembershipResolvers, MutationResolvers, Resolvers, UserCreditResolvers } from '../__generated__/resolvers-types';
import type { BillingContext } from '../context';
import { idPage, sequencePage } from '../page-size';
import { visibleAccount } from '../read-model';
import { captureCredits, capturesAsked } from './capture-credits';
import { countLedgerEntries, ledgerEntries, payingAccountOfReservation, type LedgerEntryRow, type LimitRow } from './store';

/** A page of the ledger; `entries` and `nextCursor` are the deprecated names of its nodes and its next page's cursor. */
export type LedgerConnectionValue = CountedConnection<LedgerEntryRow> & { entries: LedgerEntryRow[]; nextCursor: string | null };

const remaining = (row: LimitRow) => Number(row.credit_limit) - Number(row.spent) - Number(row.held);

const Account: AccountResolvers = {
  userCredits: async (account, args, ctx) => {
    const page = idPage(args);
    return withTotalCount(await ctx.loaders.userCreditPages.pages.for(page).load(account.id), () => ctx.loaders.userCreditPages.counts.load(account.id));
  },
  ledger: async (account, args, ctx): Promise<LedgerConnectionValue> => {
    const page = sequencePage(args);
    const filter = args.filter ?? {};
    if (filter.userId && !isUuid(filter.userId)) throw errors.badInput('filter.userId is not a valid id', 'filter.userId');
    const selection = { kinds: filter.kinds ?? null, userId: filter.userId ?? null, from: filter.from ?? null, to: filter.to ?? null };
    const connection = toConnection(await ledgerEntries(ctx.dataSource, account.id, selection, page), page, (row) => [row.id]);
    return {
      ...withTotalCount(connection, () => countLedgerEntries(ctx.dataSource, account.id, selection)),
      entries: connection.nodes,
      nextCursor: connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : null,
    };
  },
};

const Membership: MembershipResolvers = {
  __resolveReference: (reference) => ({ accountId: reference.accountId, userId: reference.userId }),
  credit: (membership, _args, ctx) => ctx.loaders.userLimitByMembership.load(`${membership.accountId}:${membership.userId}`),
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
  renewalAmount: (row) => (row.renewal_amount === null ? null : Number(row.renewal_amount)),
  monthlyRenewal: (row) => row.renewal_amount !== null,
  spent: (row) => Number(row.spent),
  held: (row) => Number(row.held),
  remaining,
  periodStart: (row) => row.period_start,
};

const LedgerEntry: LedgerEntryResolvers = {
  payingAccount: (row, _args, ctx) => visibleAccount(row.payingAccountId, ctx.access),
  spendingAccount: (row, _args, ctx) => (row.spendingAccountId ? visibleAccount(row.spendingAccountId, ctx.access) : null),
  user: (row) => (row.userId ? { id: row.userId } : null),
  units: (row) => Number(row.units),
  balanceAfter: (row) => Number(row.balanceAfter),
};

async function captureAndTopUp(ctx: BillingContext, reservationId: string, units: number | null | undefined) {
  const { crossedAutoTopUpThreshold, ...reservation } = await ctx.credit.capture(reservationId, units);
  if (crossedAutoTopUpThreshold) {
    // After the capture committed: the provider call must not delay or undo the debit.
    const payingAccountId = await payingAccountOfReservation(ctx.dataSource, reservation.id);
    void ctx.topUps.autoTopUp(payingAccountId).catch((error) => ctx.logger.error({ err: error }, 'automatic top-up failed'));
  }
  return reservation;
}

const Mutation: MutationResolvers = {
  setCreditLimit: async (_root, args, ctx) => {
    const accountId = assertId(args.accountId, 'accountId');
    await ctx.limits.setCreditLimit(accountId, args.limit);
    return { id: accountId };
  },
  setUserCreditLimit: async (_root, args, ctx) => {
    const accountId = assertId(args.accountId, 'accountId');
    const userId = assertId(args.userId, 'userId');
    const kept = await ctx.limits.setUserCreditLimit(accountId, userId, { limit: args.limit, renewalAmount: args.renewalAmount, monthlyRenewal: args.monthlyRenewal });
    if (!kept) return null;
    const rows = await ctx.loaders.userLimitsByAccountId.load(accountId);
    return rows.find((r) => r.user_id === userId) ?? null;
  },

  // Internal (@inaccessible, SERVICE principal only): the send path. Deliberately not in the
  // activity log (SPEC I9): the append-only ledger records every reservation, capture and release.
  reserveCredit: (_root, args, ctx) => ctx.credit.reserve(args.input),
  captureCredit: (_root, args, ctx) => captureAndTopUp(ctx, args.reservationId, args.units),
  captureCredits: (_root, args, ctx) => captureCredits(ctx.credit, capturesAsked(args.captures), (accountId) => ctx.topUps.autoTopUp(accountId), ctx.logger),
  releaseCredit: (_root, args, ctx) => ctx.credit.release(args.reservationId),
};

export const resolvers: Resolvers = { Account, Membership, CreditLimit, UserCredit, LedgerEntry, Mutation };
