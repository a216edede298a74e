import type { CreditReservation, ReserveCreditInput } from '@platform/billing-client';
import { errors, isUuid } from '@platform/errors';
import type { BillingContext } from '../context';
import { pageSize } from '../page-size';
import { visibleAccount } from '../read-model';
import { ledgerEntries, payingAccountOfReservation, type LedgerEntryRow, type LimitRow, type UserLimitRow } from './store';

const LEDGER_KINDS = ['OPENING', 'USAGE', 'TOP_UP', 'TRANSFER', 'INVOICE_PAYMENT', 'CREDIT_CEILING'];

function instant(value: string | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw errors.badInput(`${field} must be an ISO 8601 instant`, field);
  return date;
}

const remaining = (row: LimitRow) => Number(row.credit_limit) - Number(row.spent) - Number(row.held);

type ByAccount = { accountId: string };
interface LedgerArgs {
  first?: number | null;
  after?: string | null;
  filter?: { kinds?: string[] | null; userId?: string | null; from?: string | null; to?: string | null } | null;
}

export const resolvers = {
  Account: {
    userCredits: (account: { id: string }, _args: unknown, ctx: BillingContext) => ctx.loaders.userLimitsByAccountId.load(account.id),
    ledger: async (account: { id: string }, args: LedgerArgs, ctx: BillingContext) => {
      const limit = pageSize(args.first);
      if (args.after && !/^\d{1,18}$/.test(args.after)) throw errors.badInput('after is not a valid cursor', 'after');
      const filter = args.filter ?? {};
      if (filter.kinds?.length && !filter.kinds.every((k) => LEDGER_KINDS.includes(k))) throw errors.badInput('Unknown ledger kind', 'filter.kinds');
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
  },
  CreditLimit: {
    limit: (row: LimitRow) => Number(row.credit_limit),
    spent: (row: LimitRow) => Number(row.spent),
    held: (row: LimitRow) => Number(row.held),
    remaining,
  },
  UserCredit: {
    account: (row: UserLimitRow) => ({ id: row.account_id }),
    userId: (row: UserLimitRow) => row.user_id,
    limit: (row: UserLimitRow) => Number(row.credit_limit),
    monthlyRenewal: (row: UserLimitRow) => row.monthly_renewal,
    spent: (row: UserLimitRow) => Number(row.spent),
    held: (row: UserLimitRow) => Number(row.held),
    remaining,
    periodStart: (row: UserLimitRow) => row.period_start,
  },
  LedgerEntry: {
    id: (row: LedgerEntryRow) => String(row.id),
    movementId: (row: LedgerEntryRow) => row.movement_id,
    payingAccount: (row: LedgerEntryRow, _args: unknown, ctx: BillingContext) => visibleAccount(row.paying_account_id, ctx.access),
    spendingAccount: (row: LedgerEntryRow, _args: unknown, ctx: BillingContext) => (row.spending_account_id ? visibleAccount(row.spending_account_id, ctx.access) : null),
    userId: (row: LedgerEntryRow) => row.user_id,
    units: (row: LedgerEntryRow) => Number(row.units),
    balanceAfter: (row: LedgerEntryRow) => Number(row.balance_after),
    idempotencyKey: (row: LedgerEntryRow) => row.idempotency_key,
    createdAt: (row: LedgerEntryRow) => new Date(row.created_at).toISOString(),
  },
  Mutation: {
    setCreditLimit: async (_root: unknown, args: ByAccount & { limit?: number | null }, ctx: BillingContext) => {
      await ctx.limits.setCreditLimit(args.accountId, args.limit);
      return { id: args.accountId.toLowerCase() };
    },
    setUserCreditLimit: async (_root: unknown, args: ByAccount & { userId: string; limit?: number | null; monthlyRenewal?: boolean | null }, ctx: BillingContext) => {
      const kept = await ctx.limits.setUserCreditLimit(args.accountId, args.userId, args.limit, args.monthlyRenewal);
      if (!kept) return null;
      const rows = await ctx.loaders.userLimitsByAccountId.load(args.accountId.toLowerCase());
      return rows.find((r) => r.user_id === args.userId.toLowerCase()) ?? null;
    },

    // Internal (@inaccessible, SERVICE principal only): the send path. Deliberately not in the
    // activity log (SPEC I9): the append-only ledger records every reservation, capture and release.
    reserveCredit: (_root: unknown, args: { input: ReserveCreditInput }, ctx: BillingContext) =>
      ctx.credit.reserve({ ...args.input, holdSeconds: args.input.holdSeconds ?? undefined }),
    captureCredit: async (_root: unknown, args: { reservationId: string; units?: number | null }, ctx: BillingContext): Promise<CreditReservation> => {
      const { crossedAutoTopUpThreshold, ...reservation } = await ctx.credit.capture(args.reservationId, args.units);
      if (crossedAutoTopUpThreshold) {
        // After the capture committed: the provider call must not delay or undo the debit.
        const payingAccountId = await payingAccountOfReservation(ctx.dataSource, reservation.id);
        void ctx.topUps.autoTopUp(payingAccountId).catch((error) => ctx.logger.error({ err: error }, 'automatic top-up failed'));
      }
      return reservation;
    },
    releaseCredit: (_root: unknown, args: { reservationId: string }, ctx: BillingContext) => ctx.credit.release(args.reservationId),
  },
};
