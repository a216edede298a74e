import DataLoader from 'dataloader';
import type { AccessControl, AccountChain } from '@platform/authz';
import { assertId, isUuid } from '@platform/errors';
import { DateTimeScalar, requestedFields, type EntityBatchResolver } from '@platform/server';
import type { AccountBillingResolvers, AccountResolvers, MutationResolvers, Resolvers } from '../__generated__/resolvers-types';
import type { BillingContext } from '../context';
import { visibleAccount, type AccountReference } from '../read-model';
import { payingUnitsOf, type BalanceRow } from './store';

export interface PayingBalance {
  path: string[];
  payer: BalanceRow | null;
  rootId: string | null;
}

/** The nearest account on the chain (self first) that has a balance pays (SPEC B1). */
export function payingBalance(accountId: string, ctx: BillingContext): Promise<PayingBalance> {
  return ctx.loaders.payingBalanceByAccountId.load(accountId);
}

/**
 * The paying balance of each account, set-based: the chains of every account asked in one tick, then
 * the balances of every account on those chains (a 10,000-account tree: 1,111 ids, not 50,000 loads).
 */
export function payingBalanceLoader(access: AccessControl, balanceByAccountId: DataLoader<string, BalanceRow | null>): DataLoader<string, PayingBalance> {
  return new DataLoader(async (accountIds) => payingBalancesOf(await access.chainsOf(accountIds), balanceByAccountId));
}

async function payingBalancesOf(chains: readonly (AccountChain | null)[], balanceByAccountId: DataLoader<string, BalanceRow | null>): Promise<PayingBalance[]> {
  const ids = new Set<string>();
  for (const chain of chains) if (chain) for (const id of chain.path) ids.add(id);
  const onPaths = [...ids];
  const rows = await balanceByAccountId.loadMany(onPaths);
  const balances = new Map<string, BalanceRow>();
  rows.forEach((row, i) => {
    if (row && !(row instanceof Error)) balances.set(onPaths[i], row);
  });
  return chains.map((chain) => (chain ? { path: chain.path, payer: nearestOnPath(chain.path, balances) ?? null, rootId: chain.rootId } : { path: [], payer: null, rootId: null }));
}

/** The balance of the account nearest the end of `path` (the account itself first) that has one. */
function nearestOnPath<T>(path: readonly string[], balances: ReadonlyMap<string, T>): T | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    const balance = balances.get(path[i]);
    if (balance !== undefined) return balance;
  }
  return undefined;
}

/**
 * Every Account reference of an `_entities` call at once: visibility decided in one batch, and the
 * balance (when asked) of every account the caller holds billing on returned with the references, so
 * that graphql-js completes them without a promise per entity. The paying balances are read while the
 * references are decided (payingUnitsOf), and kept for the accounts with billing only. A reference
 * without billing is returned bare: its fields' rules refuse it, as for any other object.
 */
export const accountEntities: EntityBatchResolver<BillingContext> = async (representations, ctx, info) => {
  const accounts: AccountReference[] = representations.map((representation) => ({ __typename: 'Account', id: representation.id as string }));
  const payable: number[] = [];
  if (requestedFields(info, 'Account').has('balance') && ctx.access.isAuthenticated && !ctx.access.changing) accounts.forEach((account, i) => isUuid(account.id) && payable.push(i));
  const [{ permissions }, units] = await Promise.all([
    ctx.access.resolveReferences(accounts),
    payable.length ? payingUnitsOf(ctx.dataSource, payable.map((i) => accounts[i].id)) : null,
  ]);
  if (units) {
    payable.forEach((index, k) => {
      if (permissions[index].has('billing')) accounts[index].balance = units[k];
    });
  }
  return accounts;
};

const balanceUnits = ({ payer }: PayingBalance) => (payer ? Number(payer.units) : 0);

/** The parent of AccountBilling's fields: the account they describe. */
export interface AccountBillingParent {
  accountId: string;
}

const Mutation: MutationResolvers = {
  setBillingMode: async (_root, args, ctx) => {
    const accountId = assertId(args.accountId, 'accountId');
    await ctx.balances.setBillingMode(accountId, args.mode, args.creditCeiling);
    return { id: accountId };
  },
  enableOwnBalance: async (_root, args, ctx) => {
    const accountId = assertId(args.accountId, 'accountId');
    await ctx.balances.enableOwnBalance(accountId);
    return { id: accountId };
  },
  adjustCredit: (_root, args, ctx) => ctx.balances.adjustCredit(args.input),
  setLowBalanceThreshold: async (_root, args, ctx) => {
    const accountId = assertId(args.accountId, 'accountId');
    await ctx.balances.setLowBalanceThreshold(accountId, args.threshold);
    return { id: accountId };
  },
};

const Account: AccountResolvers = {
  balance: (account, _args, ctx) => account.balance ?? payingBalance(account.id, ctx).then(balanceUnits),
  billing: (account) => ({ accountId: account.id }),
};

const AccountBilling: AccountBillingResolvers = {
  mode: async (parent, _args, ctx) => {
    const { rootId } = await payingBalance(parent.accountId, ctx);
    return rootId ? ((await ctx.loaders.balanceByAccountId.load(rootId))?.mode ?? null) : null;
  },
  ownBalance: async (parent, _args, ctx) => (await ctx.loaders.balanceByAccountId.load(parent.accountId)) !== null,
  paidBy: async (parent, _args, ctx) => {
    const { payer } = await payingBalance(parent.accountId, ctx);
    if (!payer) return 'NONE';
    return payer.account_id === parent.accountId ? 'SELF' : 'ANCESTOR';
  },
  payingAccount: async (parent, _args, ctx) => {
    const { payer } = await payingBalance(parent.accountId, ctx);
    return payer ? visibleAccount(payer.account_id, ctx.access) : null;
  },
  balance: async (parent, _args, ctx) => Number((await payingBalance(parent.accountId, ctx)).payer?.units ?? 0),
  heldUnits: async (parent, _args, ctx) => Number((await payingBalance(parent.accountId, ctx)).payer?.held ?? 0),
  creditCeiling: async (parent, _args, ctx) => {
    const { payer } = await payingBalance(parent.accountId, ctx);
    return payer?.mode === 'POSTPAID' ? Number(payer.credit_ceiling) : null;
  },
  creditLimit: (parent, _args, ctx) => ctx.loaders.limitByAccountId.load(parent.accountId),
  remainingCredit: async (parent, _args, ctx) => {
    const { path, payer } = await payingBalance(parent.accountId, ctx);
    if (!payer) return 0;
    let remaining = Number(payer.units) - Number(payer.held);
    for (const limit of await ctx.loaders.limitByAccountId.loadMany(path)) {
      if (limit && !(limit instanceof Error)) remaining = Math.min(remaining, Number(limit.credit_limit) - Number(limit.spent) - Number(limit.held));
    }
    return Math.max(remaining, 0);
  },
  lowBalanceThreshold: async (parent, _args, ctx) => {
    const own = await ctx.loaders.balanceByAccountId.load(parent.accountId);
    return own?.low_balance_threshold == null ? null : Number(own.low_balance_threshold);
  },
  autoTopUp: async (parent, _args, ctx) => {
    const own = await ctx.loaders.balanceByAccountId.load(parent.accountId);
    if (!own || own.auto_top_up_threshold === null || own.auto_top_up_units === null) return null;
    const methods = await ctx.loaders.paymentMethodsByAccountId.load(own.account_id);
    return {
      threshold: Number(own.auto_top_up_threshold),
      units: Number(own.auto_top_up_units),
      paymentMethod: methods.find((m) => (own.auto_top_up_payment_method_id ? m.id === own.auto_top_up_payment_method_id : m.isDefault)) ?? null,
    };
  },
};

export const resolvers: Resolvers = { DateTime: DateTimeScalar, Mutation, Account, AccountBilling };
