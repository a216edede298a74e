import type { BillingContext } from '../context';
import { pageSize } from '../page-size';
import { visibleAccount } from '../read-model';
import type { TransferInput } from './service';
import { transfersOfAccount, type TransferRow } from './store';

export const resolvers = {
  Account: {
    transfers: (account: { id: string }, args: { first?: number | null }, ctx: BillingContext) => transfersOfAccount(ctx.dataSource, account.id, pageSize(args.first)),
  },
  Transfer: {
    fromAccount: (row: TransferRow, _args: unknown, ctx: BillingContext) => visibleAccount(row.from_account_id, ctx.access),
    toAccount: (row: TransferRow, _args: unknown, ctx: BillingContext) => visibleAccount(row.to_account_id, ctx.access),
    units: (row: TransferRow) => Number(row.units),
    userId: (row: TransferRow) => row.user_id,
    createdAt: (row: TransferRow) => new Date(row.created_at).toISOString(),
  },
  Mutation: {
    transferBalance: (_root: unknown, args: { input: TransferInput }, ctx: BillingContext) => ctx.transfers.transfer('BALANCE', args.input),
    transferCredit: (_root: unknown, args: { input: TransferInput }, ctx: BillingContext) => ctx.transfers.transfer('CREDIT', args.input),
  },
};
