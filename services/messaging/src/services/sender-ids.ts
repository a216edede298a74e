import crypto from 'node:crypto';
import type { AccountChain } from '@platform/authz';
import { AppError, assertId, errors } from '@platform/errors';
import { queryRows } from '@platform/db';
import type { MessagingContext } from '../context';
import { requireE164 } from '../phone';
import { mutate, requireActiveChain } from './access';

export type SenderIdKind = 'DEDICATED_NUMBER' | 'ALPHANUMERIC' | 'PERSONAL_NUMBER' | 'SHORT_CODE';

export interface SenderIdRow {
  id: string;
  account_id: string;
  kind: SenderIdKind;
  value: string;
  status: string;
  shared_down: boolean;
  created_at: Date;
}

const COLUMNS = 'id, account_id, kind, value, status, shared_down, created_at';
/** SPEC M7: at most 11 characters, letters, digits and spaces, at least one letter. */
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const SHORT_CODE = /^[0-9]{3,8}$/;
const VERIFICATION_TTL_MINUTES = 15;
const hash = (code: string) => crypto.createHash('sha256').update(code).digest('hex');

/** Sender IDs the account may send from: its own ACTIVE ones and its ancestors' ACTIVE ones shared down. */
export async function usableSenderId(db: { query(sql: string, p?: unknown[]): Promise<any> }, chain: AccountChain, senderId: string): Promise<SenderIdRow | null> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const [row] = await queryRows<SenderIdRow>(
    db,
    `SELECT ${COLUMNS} FROM messaging.sender_ids WHERE id = $1 AND status = 'ACTIVE' AND (account_id = $2 OR (account_id = ANY($3::uuid[]) AND shared_down))`,
    [senderId, chain.id, chain.path],
  );
  return row ?? null;
}

async function loadForAdmin(ctx: MessagingContext, id: string, permission: 'system-configuration' | 'deployment'): Promise<{ sender: SenderIdRow; chain: AccountChain }> {
  const [sender] = await queryRows<SenderIdRow>(ctx.dataSource, `SELECT ${COLUMNS} FROM messaging.sender_ids WHERE id = $1`, [assertId(id)]);
  if (!sender || !(await ctx.access.canView(sender.account_id))) throw errors.notFound('Sender ID');
  const chain = await ctx.access.require(sender.account_id, permission);
  requireActiveChain(chain);
  return { sender, chain };
}

export const SenderIdService = {
  async list(ctx: MessagingContext, accountId: string): Promise<SenderIdRow[]> {
    const chain = await ctx.access.require(accountId, 'account.view');
    return queryRows<SenderIdRow>(
      ctx.dataSource,
      `SELECT ${COLUMNS} FROM messaging.sender_ids WHERE account_id = $1 OR (account_id = ANY($2::uuid[]) AND shared_down) ORDER BY created_at, id`,
      [chain.id, chain.path],
    );
  },

  /**
   * Alphanumeric tags are active at once; dedicated numbers and short codes wait for provisioning
   * (activateSenderId); a personal mobile number receives a 6-digit code through the carrier.
   */
  async request(ctx: MessagingContext, accountId: string, input: { kind: SenderIdKind; value: string; sharedDown?: boolean | null }): Promise<SenderIdRow> {
    const chain = await ctx.access.require(accountId, 'system-configuration');
    requireActiveChain(chain);
    let value = input.value.trim();
    let status = 'REQUESTED';
    if (input.kind === 'ALPHANUMERIC') {
      if (!ALPHANUMERIC.test(value)) throw errors.badInput('An alphanumeric sender ID has 1 to 11 letters, digits or spaces, at least one letter', 'value');
      status = 'ACTIVE';
    } else if (input.kind === 'SHORT_CODE') {
      if (!SHORT_CODE.test(value)) throw errors.badInput('A short code has 3 to 8 digits', 'value');
    } else {
      value = requireE164(value, ctx.config.messaging.defaultCountry, 'value');
      if (input.kind === 'PERSONAL_NUMBER') status = 'PENDING_VERIFICATION';
    }
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    const created = await mutate(ctx, chain, 'requestSenderId', async (tx) => {
      const [row] = await queryRows<SenderIdRow>(
        tx,
        `INSERT INTO messaging.sender_ids (account_id, kind, value, status, shared_down, verification_code_hash, verification_expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $6::text IS NULL THEN NULL ELSE now() + make_interval(mins => $7) END) RETURNING ${COLUMNS}`,
        [chain.id, input.kind, value, status, input.sharedDown ?? false, input.kind === 'PERSONAL_NUMBER' ? hash(code) : null, VERIFICATION_TTL_MINUTES],
      );
      return { result: row, targetType: 'SenderId', targetId: row.id, after: { kind: row.kind, status: row.status, sharedDown: row.shared_down } };
    });
    if (created.kind === 'PERSONAL_NUMBER') {
      await ctx.carrier.send([{ messageId: crypto.randomUUID(), recipient: value, sender: 'VERIFY', body: `Your verification code is ${code}`, wantsReceipt: false }]);
    }
    return created;
  },

  async verify(ctx: MessagingContext, id: string, code: string): Promise<SenderIdRow> {
    const { sender, chain } = await loadForAdmin(ctx, id, 'system-configuration');
    if (sender.status !== 'PENDING_VERIFICATION') throw new AppError('INVALID_STATE', 'The sender ID is not waiting for verification');
    return mutate(ctx, chain, 'verifySenderId', async (tx) => {
      const [row] = await queryRows<SenderIdRow>(
        tx,
        `UPDATE messaging.sender_ids SET status = 'ACTIVE', verification_code_hash = NULL
          WHERE id = $1 AND status = 'PENDING_VERIFICATION' AND verification_code_hash = $2 AND verification_expires_at > now() RETURNING ${COLUMNS}`,
        [sender.id, hash(code.trim())],
      );
      if (!row) throw new AppError('INVALID_VERIFICATION_CODE', 'The code is wrong or expired');
      return { result: row, targetType: 'SenderId', targetId: row.id, before: { status: sender.status }, after: { status: row.status } };
    });
  },

  /** Provisioning of a requested dedicated number or short code (platform operations: the `deployment` permission). */
  async activate(ctx: MessagingContext, id: string): Promise<SenderIdRow> {
    const { sender, chain } = await loadForAdmin(ctx, id, 'deployment');
    if (sender.status !== 'REQUESTED') throw new AppError('INVALID_STATE', 'Only a requested sender ID can be activated');
    return mutate(ctx, chain, 'activateSenderId', async (tx) => {
      const [row] = await queryRows<SenderIdRow>(tx, `UPDATE messaging.sender_ids SET status = 'ACTIVE' WHERE id = $1 AND status = 'REQUESTED' RETURNING ${COLUMNS}`, [sender.id]);
      if (!row) throw new AppError('INVALID_STATE', 'Only a requested sender ID can be activated');
      return { result: row, targetType: 'SenderId', targetId: row.id, before: { status: sender.status }, after: { status: row.status } };
    });
  },
};
