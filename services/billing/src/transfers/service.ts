import type { DataSource } from 'typeorm';
import { mutate } from '@platform/audit';
import type { AccessControl } from '@platform/authz';
import { queryOne, queryRows, type Sql } from '@platform/db';
import { AppError, assertId, errors } from '@platform/errors';
import type { TransferInput, TransferKind } from '../__generated__/resolvers-types';
import { auditScope } from '../activity';
import { assertIdempotencyKey, assertUnits, MAX_LIMIT } from '../credit/service';
import { lockIdempotencyKey, postMovement } from '../credit/store';
import { TRANSFER_COLUMNS, type TransferRow } from './store';

type Figures = Record<string, number | null>;

/** What a transfer moved, before and after, for the activity log. */
interface Moved {
  before: Figures;
  after: Figures;
}

/**
 * Balance or credit-limit units between an account and one of its descendants (either way).
 * `billing` is required on both accounts (the upper one reaches the lower one).
 */
export class TransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessControl,
  ) {}

  async transfer(kind: TransferKind, input: TransferInput): Promise<TransferRow> {
    const fromId = assertId(input.fromAccountId, 'fromAccountId');
    const toId = assertId(input.toAccountId, 'toAccountId');
    const units = assertUnits(input.units);
    const idempotencyKey = assertIdempotencyKey(input.idempotencyKey);
    const from = await this.access.require(fromId, 'billing');
    const to = await this.access.require(toId, 'billing');
    if (from.id === to.id || !(to.path.includes(from.id) || from.path.includes(to.id))) {
      throw new AppError('INVALID_TRANSFER', 'Transfers go only between an account and one of its descendants');
    }
    const [upper, lower] = to.path.includes(from.id) ? [from, to] : [to, from];
    // On the lower account: admins of both sides see it (the upper one is its ancestor).
    return mutate(auditScope(this.dataSource, this.access, lower), kind === 'BALANCE' ? 'transferBalance' : 'transferCredit', async (tx) => {
      await lockIdempotencyKey(tx, `transfer:${idempotencyKey}`);
      const existing = await queryOne<TransferRow>(tx, `SELECT ${TRANSFER_COLUMNS} FROM billing.transfers WHERE idempotency_key = $1`, [idempotencyKey]);
      if (existing) {
        if (existing.kind !== kind || existing.fromAccountId !== fromId || existing.toAccountId !== toId || Number(existing.units) !== units) {
          throw new AppError('IDEMPOTENCY_KEY_REUSED', 'This idempotency key was already used for another transfer');
        }
        return { result: existing, unchanged: true }; // a replay changes nothing and logs nothing
      }
      const accounts = { fromId, toId, lockOrder: [upper.id, lower.id], fromIsLower: from === lower };
      const moved = kind === 'BALANCE' ? await lockBalances(tx, accounts, units) : await moveCreditLimit(tx, accounts, units);
      const [transfer] = await queryRows<TransferRow>(
        tx,
        `INSERT INTO billing.transfers (kind, from_account_id, to_account_id, units, user_id, idempotency_key)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${TRANSFER_COLUMNS}`,
        [kind, fromId, toId, units, this.access.userId, idempotencyKey],
      );
      if (kind === 'BALANCE') {
        await postMovement(tx, {
          kind: 'TRANSFER',
          idempotencyKey: `transfer:${transfer.id}`,
          reference: transfer.id,
          lines: [
            { book: 'BALANCE', payingAccountId: fromId, userId: this.access.userId, units: -units },
            { book: 'BALANCE', payingAccountId: toId, userId: this.access.userId, units },
          ],
        });
      }
      return {
        result: transfer,
        targetType: 'Transfer',
        targetId: transfer.id,
        before: moved.before,
        after: { ...moved.after, fromAccountId: fromId, toAccountId: toId, units },
      };
    });
  }
}

interface TransferAccounts {
  fromId: string;
  toId: string;
  /** upper before lower: the root-first lock order */
  lockOrder: string[];
  fromIsLower: boolean;
}

/** Locks both balances and checks the source covers the transfer; the ledger movement moves the units. */
async function lockBalances(tx: Sql, accounts: TransferAccounts, units: number): Promise<Moved> {
  const rows = await queryRows<{ account_id: string; units: string; held: string }>(
    tx,
    `SELECT account_id, units, held FROM billing.balances WHERE account_id = ANY($1::uuid[])
      ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
    [accounts.lockOrder],
  );
  if (rows.length !== 2) throw new AppError('INVALID_TRANSFER', 'Both accounts need their own balance (enableOwnBalance)');
  const source = rows.find((r) => r.account_id === accounts.fromId)!;
  const target = rows.find((r) => r.account_id === accounts.toId)!;
  if (Number(source.units) - Number(source.held) < units) {
    throw new AppError('INSUFFICIENT_CREDIT', 'The source balance does not cover the transfer', {
      limit: 'BALANCE',
      limitAccountId: accounts.fromId,
      remaining: Number(source.units) - Number(source.held),
    });
  }
  return {
    before: { fromBalance: Number(source.units), toBalance: Number(target.units) },
    after: { fromBalance: Number(source.units) - units, toBalance: Number(target.units) + units },
  };
}

/** Raises the receiving limit and lowers the giving one (an upper account without a limit has none to lower). */
async function moveCreditLimit(tx: Sql, accounts: TransferAccounts, units: number): Promise<Moved> {
  const { fromId, toId } = accounts;
  const rows = await queryRows<{ account_id: string; credit_limit: string; spent: string; held: string }>(
    tx,
    `SELECT account_id, credit_limit, spent, held FROM billing.account_limits WHERE account_id = ANY($1::uuid[])
      ORDER BY array_position($1::uuid[], account_id) FOR UPDATE`,
    [accounts.lockOrder],
  );
  const source = rows.find((r) => r.account_id === fromId);
  const target = rows.find((r) => r.account_id === toId);
  if (!target) throw new AppError('INVALID_TRANSFER', 'The receiving account has no credit limit to raise');
  if (source) {
    const free = Number(source.credit_limit) - Number(source.spent) - Number(source.held);
    if (free < units) throw new AppError('INSUFFICIENT_CREDIT', 'The source limit does not cover the transfer', { limit: 'ACCOUNT_LIMIT', limitAccountId: fromId, remaining: free });
    await tx.query(`UPDATE billing.account_limits SET credit_limit = credit_limit - $2, updated_at = now() WHERE account_id = $1`, [fromId, units]);
  } else if (accounts.fromIsLower) {
    throw new AppError('INVALID_TRANSFER', 'The giving account has no credit limit to lower');
  }
  if (Number(target.credit_limit) + units > MAX_LIMIT) throw errors.badInput('The receiving limit would be too large', 'units');
  await tx.query(`UPDATE billing.account_limits SET credit_limit = credit_limit + $2, updated_at = now() WHERE account_id = $1`, [toId, units]);
  return {
    before: { fromLimit: source ? Number(source.credit_limit) : null, toLimit: Number(target.credit_limit) },
    after: { fromLimit: source ? Number(source.credit_limit) - units : null, toLimit: Number(target.credit_limit) + units },
  };
}
