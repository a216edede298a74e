import type { BillingContext } from '../context';
import type { BillingProfileInput } from './service';
import type { PaymentMethodRow, ProfileRow } from './store';

type ByAccount = { accountId: string };

export const resolvers = {
  Account: {
    billingProfile: async (account: { id: string }, _args: unknown, ctx: BillingContext) =>
      (await ctx.loaders.profileByAccountId.load(account.id)) ?? { account_id: account.id, plan: 'STANDARD', billing_email: null, address: {} },
    paymentMethods: (account: { id: string }, _args: unknown, ctx: BillingContext) => ctx.loaders.paymentMethodsByAccountId.load(account.id),
  },
  BillingProfile: {
    billingEmail: (row: ProfileRow) => row.billing_email,
    address: (row: ProfileRow) => row.address ?? {},
  },
  PaymentMethod: {
    isDefault: (row: PaymentMethodRow) => row.is_default,
    createdAt: (row: PaymentMethodRow) => new Date(row.created_at).toISOString(),
  },
  Mutation: {
    updateBillingProfile: (_root: unknown, args: ByAccount & { input: BillingProfileInput }, ctx: BillingContext) => ctx.profiles.updateBillingProfile(args.accountId, args.input),
    addPaymentMethod: (_root: unknown, args: ByAccount & { providerToken: string; brand: string; last4: string; makeDefault?: boolean | null }, ctx: BillingContext) =>
      ctx.profiles.addPaymentMethod(args.accountId, args.providerToken, args.brand, args.last4, args.makeDefault ?? false),
    setDefaultPaymentMethod: (_root: unknown, args: ByAccount & { paymentMethodId: string }, ctx: BillingContext) =>
      ctx.profiles.setDefaultPaymentMethod(args.accountId, args.paymentMethodId),
    removePaymentMethod: (_root: unknown, args: ByAccount & { paymentMethodId: string }, ctx: BillingContext) =>
      ctx.profiles.removePaymentMethod(args.accountId, args.paymentMethodId),
  },
};
