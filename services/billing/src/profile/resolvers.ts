import type { AccountResolvers, BillingProfileResolvers, MutationResolvers, Resolvers } from '../__generated__/resolvers-types';
import { defaultProfile } from './store';

const Account: AccountResolvers = {
  billingProfile: async (account, _args, ctx) =>
    (await ctx.loaders.profileByAccountId.load(account.id)) ?? defaultProfile(account.id),
  paymentMethods: (account, _args, ctx) => ctx.loaders.paymentMethodsByAccountId.load(account.id),
};

const BillingProfile: BillingProfileResolvers = {
  requestedPlan: (row) => row.requested_plan,
  planRequestedAt: (row) => row.plan_requested_at,
  billingEmail: (row) => row.billing_email,
  address: (row) => row.address ?? {},
};

const Mutation: MutationResolvers = {
  updateBillingProfile: (_root, args, ctx) => ctx.profiles.updateBillingProfile(args.accountId, args.input),
  requestPlanChange: (_root, args, ctx) => ctx.profiles.requestPlanChange(args.accountId, args.plan),
  setCustomerPlan: (_root, args, ctx) => ctx.profiles.setCustomerPlan(args.accountId, args.plan),
  addPaymentMethod: (_root, args, ctx) => ctx.profiles.addPaymentMethod(args.accountId, args.providerToken, args.brand, args.last4, args.makeDefault ?? false),
  setDefaultPaymentMethod: (_root, args, ctx) => ctx.profiles.setDefaultPaymentMethod(args.accountId, args.paymentMethodId),
  removePaymentMethod: (_root, args, ctx) => ctx.profiles.removePaymentMethod(args.accountId, args.paymentMethodId),
};

export const resolvers: Resolvers = { Account, BillingProfile, Mutation };
