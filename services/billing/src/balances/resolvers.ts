import DataLoader from 'dataloader';
import type { AccessControl, AccountChain } from '@platform/authz';
import { assertId } from '@platform/errors';
import { DateTimeScalar, requestedFields, type EntityBatchResolver } from '@platform/server';
import type { AccountBillingResolvers, AccountResolvers, MutationResolvers, Resolvers } from '../__generated__/resolvers-types';
import type { BillingContext } from '../context';
import { visibleAccount, type AccountReference } from '../read-model';
import type { Sql } from '@platform/db';
import { unitsOfBalances, type BalanceRow } from './store';

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
 * balance (when asked) of every account the caller holds billing on loaded at once and returned with
 * the references, so that graphql-js completes them without a promise per entity. A reference
 * without billing is returned bare: its fields' rules refuse it, as for any other object.
 */
export const accountEntities: EntityBatchResolver<BillingContext> = async (representations, ctx, info) => {
  const accounts: AccountReference[] = representations.map((representation) => ({ __typename: 'Account', id: representation.id as string }));
  const wantsBalance = requestedFields(info, 'Account').has('balance');
  const { paths } = await ctx.access.resolveReferences(accounts, wantsBalance ? 'billing' : undefined);
  if (wantsBalance) {
    const units = await payingUnitsOfPaths(ctx.dataSource, paths);
    accounts.forEach((account, i) => {
      if (paths[i] !== null) account.balance = units[i];
    });
  }
  return accounts;
};

/**
 * The units of the balance that pays for each account (its own or its nearest ancestor's; 0 when
 * none does), from the accounts' paths as resolveReferences gives them (ids comma-separated, root
 * first; null: not asked). One read of the balances of the accounts and of their ancestors (ids as
 * one text), and the payer of each parent path found once (a 10,000-account tree has ~1,111 parents):
 * no chain, no promise and no split path per account.
 */
async function payingUnitsOfPaths(db: Sql, paths: readonly (string | null)[]): Promise<number[]> {
  const ids = new Set<string>();
  const parents = new Map<string, string[]>();
  for (const path of paths) {
    if (path === null) continue;
    const cut = path.lastIndexOf(',');
    ids.add(path.slice(cut + 1));
    if (cut > 0 && !parents.has(path.slice(0, cut))) parents.set(path.slice(0, cut), path.slice(0, cut).split(','));
  }
  for (const chain of parents.values()) for (const id of chain) ids.add(id);
  const units = ids.size ? await unitsOfBalances(db, [...ids]) : new Map<string, number>();
  const parentPays = new Map<string, number | undefined>();
  for (const [parent, chain] of parents) parentPays.set(parent, nearestOnPath(chain, units));
  return paths.map((path) => {
    if (path === null) return 0;
    const cut = path.lastIndexOf(',');
    return units.get(path.slice(cut + 1)) ?? (cut > 0 ? parentPays.get(path.slice(0, cut)) : undefined) ?? 0;
  });
}

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
