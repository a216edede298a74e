import { errors, isUuid } from '@platform/errors';
import type { BalanceRow, BillingContext } from '../context';
import { INVOICE_COLUMNS } from '../invoice-service';

const LEDGER_KINDS = ['OPENING', 'USAGE', 'TOP_UP', 'TRANSFER', 'INVOICE_PAYMENT', 'CREDIT_CEILING'];

function pageSize(first: number | null | undefined, fallback = 50, max = 200): number {
  if (first === null || first === undefined) return fallback;
  if (!Number.isInteger(first) || first < 1 || first > max) throw errors.badInput(`first must be between 1 and ${max}`, 'first');
  return first;
}

function instant(value: string | null | undefined, field: string): Date | null {
  if (value === null || value === undefined) return null;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw errors.badInput(`${field} must be an ISO 8601 instant`, field);
  return date;
}

/**
 * A reference to an account the caller may see, else null: billing rows name the ancestors that pay
 * or fund an account, and a sub-account's admin must not learn their ids (SPEC H3).
 */
export async function visibleAccount(accountId: string, ctx: BillingContext): Promise<{ id: string } | null> {
  return (await ctx.access.canView(accountId)) ? { id: accountId } : null;
}

/** The nearest account on the chain (self first) that has a balance pays (SPEC B1). */
export async function payingBalance(accountId: string, ctx: BillingContext): Promise<{ path: string[]; payer: BalanceRow | null; rootId: string | null }> {
  const chain = await ctx.access.chains.load(accountId);
  if (!chain) return { path: [], payer: null, rootId: null };
  const balances = await ctx.loaders.balanceByAccountId.loadMany(chain.path);
  for (let i = balances.length - 1; i >= 0; i--) {
    const row = balances[i];
    if (row && !(row instanceof Error)) return { path: chain.path, payer: row, rootId: chain.rootId };
  }
  return { path: chain.path, payer: null, rootId: chain.rootId };
}

export const Account = {
  __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  balance: async (account: { id: string }, _args: unknown, ctx: BillingContext) => {
    const { payer } = await payingBalance(account.id, ctx);
    return payer ? Number(payer.units) : 0;
  },
  billing: (account: { id: string }) => ({ accountId: account.id }),
  userCredits: (account: { id: string }, _args: unknown, ctx: BillingContext) => ctx.loaders.userLimitsByAccountId.load(account.id),
  ledger: async (
    account: { id: string },
    args: { first?: number | null; after?: string | null; filter?: { kinds?: string[] | null; userId?: string | null; from?: string | null; to?: string | null } | null },
    ctx: BillingContext,
  ) => {
    const limit = pageSize(args.first);
    const conditions = [`book = 'BALANCE'`, `(paying_account_id = $1 OR spending_account_id = $1)`];
    const params: unknown[] = [account.id];
    if (args.after) {
      if (!/^\d{1,18}$/.test(args.after)) throw errors.badInput('after is not a valid cursor', 'after');
      params.push(args.after);
      conditions.push(`id < $${params.length}`);
    }
    const filter = args.filter ?? {};
    if (filter.kinds?.length) {
      if (!filter.kinds.every((k) => LEDGER_KINDS.includes(k))) throw errors.badInput('Unknown ledger kind', 'filter.kinds');
      params.push(filter.kinds);
      conditions.push(`kind = ANY($${params.length}::text[])`);
    }
    if (filter.userId) {
      if (!isUuid(filter.userId)) throw errors.badInput('filter.userId is not a valid id', 'filter.userId');
      params.push(filter.userId);
      conditions.push(`user_id = $${params.length}`);
    }
    const from = instant(filter.from, 'filter.from');
    const to = instant(filter.to, 'filter.to');
    if (from) {
      params.push(from);
      conditions.push(`created_at >= $${params.length}`);
    }
    if (to) {
      params.push(to);
      conditions.push(`created_at < $${params.length}`);
    }
    params.push(limit + 1);
    const rows: { id: string }[] = await ctx.dataSource.query(
      `SELECT * FROM billing.ledger_entries WHERE ${conditions.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    return { entries: page, nextCursor: rows.length > limit ? String(page[page.length - 1].id) : null };
  },
  transfers: (account: { id: string }, args: { first?: number | null }, ctx: BillingContext) =>
    ctx.dataSource.query(
      `SELECT * FROM billing.transfers WHERE from_account_id = $1 OR to_account_id = $1 ORDER BY created_at DESC, id LIMIT $2`,
      [account.id, pageSize(args.first)],
    ),
  topUps: (account: { id: string }, args: { first?: number | null }, ctx: BillingContext) =>
    ctx.dataSource.query(`SELECT * FROM billing.top_ups WHERE account_id = $1 ORDER BY created_at DESC, id LIMIT $2`, [account.id, pageSize(args.first)]),
  invoices: async (account: { id: string }, _args: unknown, ctx: BillingContext) => {
    return ctx.dataSource.query(`SELECT ${INVOICE_COLUMNS} FROM billing.invoices WHERE account_id = $1 ORDER BY period_start DESC`, [account.id]);
  },
  billingProfile: async (account: { id: string }, _args: unknown, ctx: BillingContext) =>
    (await ctx.loaders.profileByAccountId.load(account.id)) ?? { account_id: account.id, plan: 'STANDARD', billing_email: null, address: {} },
  paymentMethods: (account: { id: string }, _args: unknown, ctx: BillingContext) => ctx.loaders.paymentMethodsByAccountId.load(account.id),
};

export const AccountBilling = {
  mode: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const { rootId } = await payingBalance(parent.accountId, ctx);
    return rootId ? ((await ctx.loaders.balanceByAccountId.load(rootId))?.mode ?? null) : null;
  },
  ownBalance: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => (await ctx.loaders.balanceByAccountId.load(parent.accountId)) !== null,
  paidBy: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const { payer } = await payingBalance(parent.accountId, ctx);
    if (!payer) return 'NONE';
    return payer.account_id === parent.accountId ? 'SELF' : 'ANCESTOR';
  },
  payingAccount: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const { payer } = await payingBalance(parent.accountId, ctx);
    return payer ? visibleAccount(payer.account_id, ctx) : null;
  },
  balance: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => Number((await payingBalance(parent.accountId, ctx)).payer?.units ?? 0),
  heldUnits: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => Number((await payingBalance(parent.accountId, ctx)).payer?.held ?? 0),
  creditCeiling: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const { payer } = await payingBalance(parent.accountId, ctx);
    return payer?.mode === 'POSTPAID' ? Number(payer.credit_ceiling) : null;
  },
  creditLimit: (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => ctx.loaders.limitByAccountId.load(parent.accountId),
  remainingCredit: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const { path, payer } = await payingBalance(parent.accountId, ctx);
    if (!payer) return 0;
    let remaining = Number(payer.units) - Number(payer.held);
    for (const limit of await ctx.loaders.limitByAccountId.loadMany(path)) {
      if (limit && !(limit instanceof Error)) remaining = Math.min(remaining, Number(limit.credit_limit) - Number(limit.spent) - Number(limit.held));
    }
    return Math.max(remaining, 0);
  },
  lowBalanceThreshold: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const own = await ctx.loaders.balanceByAccountId.load(parent.accountId);
    return own?.low_balance_threshold == null ? null : Number(own.low_balance_threshold);
  },
  autoTopUp: async (parent: { accountId: string }, _args: unknown, ctx: BillingContext) => {
    const own = await ctx.loaders.balanceByAccountId.load(parent.accountId);
    if (!own || own.auto_top_up_threshold === null || own.auto_top_up_units === null) return null;
    const methods = await ctx.loaders.paymentMethodsByAccountId.load(own.account_id);
    return {
      threshold: Number(own.auto_top_up_threshold),
      units: Number(own.auto_top_up_units),
      paymentMethod: methods.find((m) => (own.auto_top_up_payment_method_id ? m.id === own.auto_top_up_payment_method_id : m.is_default)) ?? null,
    };
  },
};
