import type { CreditReservation, ReserveCreditInput } from '@platform/billing-client';
import type { BillingContext } from '../context';

type ByAccount = { accountId: string };
type TransferArgs = { input: { fromAccountId: string; toAccountId: string; units: number; idempotencyKey: string } };

export const Mutation = {
  setBillingMode: async (_root: unknown, args: ByAccount & { mode: 'PREPAID' | 'POSTPAID'; creditCeiling?: number | null }, ctx: BillingContext) => {
    await ctx.billing.setBillingMode(args.accountId, args.mode, args.creditCeiling);
    return { id: args.accountId.toLowerCase() };
  },
  enableOwnBalance: async (_root: unknown, args: ByAccount, ctx: BillingContext) => {
    await ctx.billing.enableOwnBalance(args.accountId);
    return { id: args.accountId.toLowerCase() };
  },
  setCreditLimit: async (_root: unknown, args: ByAccount & { limit?: number | null }, ctx: BillingContext) => {
    await ctx.billing.setCreditLimit(args.accountId, args.limit);
    return { id: args.accountId.toLowerCase() };
  },
  setUserCreditLimit: async (_root: unknown, args: ByAccount & { userId: string; limit?: number | null; monthlyRenewal?: boolean | null }, ctx: BillingContext) => {
    const kept = await ctx.billing.setUserCreditLimit(args.accountId, args.userId, args.limit, args.monthlyRenewal);
    if (!kept) return null;
    const rows = await ctx.loaders.userLimitsByAccountId.load(args.accountId.toLowerCase());
    return rows.find((r) => r.user_id === args.userId.toLowerCase()) ?? null;
  },
  transferBalance: (_root: unknown, args: TransferArgs, ctx: BillingContext) => ctx.billing.transfer('BALANCE', args.input),
  transferCredit: (_root: unknown, args: TransferArgs, ctx: BillingContext) => ctx.billing.transfer('CREDIT', args.input),
  topUp: (_root: unknown, args: { input: { accountId: string; units: number; paymentMethodId?: string | null; idempotencyKey: string } }, ctx: BillingContext) =>
    ctx.billing.topUp(args.input),
  setAutoTopUp: async (_root: unknown, args: ByAccount & { threshold?: number | null; units?: number | null; paymentMethodId?: string | null }, ctx: BillingContext) => {
    await ctx.billing.setAutoTopUp(args.accountId, args.threshold, args.units, args.paymentMethodId);
    return { id: args.accountId.toLowerCase() };
  },
  setLowBalanceThreshold: async (_root: unknown, args: ByAccount & { threshold?: number | null }, ctx: BillingContext) => {
    await ctx.billing.setLowBalanceThreshold(args.accountId, args.threshold);
    return { id: args.accountId.toLowerCase() };
  },
  updateBillingProfile: async (_root: unknown, args: ByAccount & { input: Parameters<BillingContext['billing']['updateBillingProfile']>[1] }, ctx: BillingContext) => {
    const accountId = await ctx.billing.updateBillingProfile(args.accountId, args.input);
    return (await ctx.dataSource.query(`SELECT * FROM billing.billing_profiles WHERE account_id = $1`, [accountId]))[0];
  },
  addPaymentMethod: (_root: unknown, args: ByAccount & { providerToken: string; brand: string; last4: string; makeDefault?: boolean | null }, ctx: BillingContext) =>
    ctx.billing.addPaymentMethod(args.accountId, args.providerToken, args.brand, args.last4, args.makeDefault ?? false),
  setDefaultPaymentMethod: (_root: unknown, args: ByAccount & { paymentMethodId: string }, ctx: BillingContext) =>
    ctx.billing.setDefaultPaymentMethod(args.accountId, args.paymentMethodId),
  removePaymentMethod: (_root: unknown, args: ByAccount & { paymentMethodId: string }, ctx: BillingContext) =>
    ctx.billing.removePaymentMethod(args.accountId, args.paymentMethodId),
  generateInvoice: (_root: unknown, args: ByAccount & { period: string }, ctx: BillingContext) => ctx.invoices.generate(args.accountId, args.period),
  issueInvoice: (_root: unknown, args: { id: string }, ctx: BillingContext) => ctx.invoices.issue(args.id),
  markInvoicePaid: (_root: unknown, args: { id: string }, ctx: BillingContext) => ctx.invoices.markPaid(args.id),

  // Internal (@inaccessible, SERVICE principal only): the send path. Deliberately not in the
  // activity log (SPEC I9): the append-only ledger records every reservation, capture and release.
  reserveCredit: (_root: unknown, args: { input: ReserveCreditInput }, ctx: BillingContext) =>
    ctx.credit.reserve({ ...args.input, holdSeconds: args.input.holdSeconds ?? undefined }),
  captureCredit: async (_root: unknown, args: { reservationId: string; units?: number | null }, ctx: BillingContext): Promise<CreditReservation> => {
    const { crossedAutoTopUpThreshold, ...reservation } = await ctx.credit.capture(args.reservationId, args.units);
    if (crossedAutoTopUpThreshold) {
      // After the capture committed: the provider call must not delay or undo the debit.
      const [payer] = await ctx.dataSource.query(`SELECT paying_account_id FROM billing.reservations WHERE id = $1`, [reservation.id]);
      void ctx.topUps.autoTopUp(payer.paying_account_id).catch((error) => ctx.logger.error({ err: error }, 'automatic top-up failed'));
    }
    return reservation;
  },
  releaseCredit: (_root: unknown, args: { reservationId: string }, ctx: BillingContext) => ctx.credit.release(args.reservationId),
};
