import crypto from 'node:crypto';
import type { AccountChain } from '@platform/authz';
import { pageRequest, toConnection, type PageArguments } from '@platform/db';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { mutate } from '@platform/audit';
import type { MessagingContext } from '../context';
import { auditScope, requireActiveChain } from '../access/access';
import { requireE164 } from '../phone/phone';
import type { SenderIdKind, SenderIdRequest, SenderIdStatus } from '../__generated__/resolvers-types';
import { activateRequested, activateVerified, findSenderId, insertSenderId, rejectRequested, requestedSenderIds, senderIdsOfChain, type SenderIdRow } from './store';

/** SPEC M7: at most 11 characters, letters, digits and spaces, at least one letter. */
const ALPHANUMERIC = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const SHORT_CODE = /^[0-9]{3,8}$/;
const VERIFICATION_TTL_MINUTES = 15;
const hash = (code: string) => crypto.createHash('sha256').update(code).digest('hex');

async function loadForAdmin(ctx: MessagingContext, id: string, permission: 'system-configuration'): Promise<{ sender: SenderIdRow; chain: AccountChain }> {
  const sender = await findSenderId(ctx.dataSource, assertId(id));
  if (!sender || !(await ctx.access.canView(sender.accountId))) throw errors.notFound('Sender ID');
  const chain = await ctx.access.require(sender.accountId, permission);
  requireActiveChain(chain);
  return { sender, chain };
}

/** The stored value and first status of a requested sender ID, by kind (SPEC M7). */
function validRequest(ctx: MessagingContext, kind: SenderIdKind, rawValue: string): { value: string; status: SenderIdStatus } {
  const value = rawValue.trim();
  if (kind === 'ALPHANUMERIC') {
    if (!ALPHANUMERIC.test(value)) throw errors.badInput('An alphanumeric sender ID has 1 to 11 letters, digits or spaces, at least one letter', 'value');
    return { value, status: 'ACTIVE' };
  }
  if (kind === 'SHORT_CODE') {
    if (!SHORT_CODE.test(value)) throw errors.badInput('A short code has 3 to 8 digits', 'value');
    return { value, status: 'REQUESTED' };
  }
  return { value: requireE164(value, ctx.config.messaging.defaultCountry, 'value'), status: kind === 'PERSONAL_NUMBER' ? 'PENDING_VERIFICATION' : 'REQUESTED' };
}

export const SenderIdService = {
  async list(ctx: MessagingContext, accountId: string, args: PageArguments) {
    const chain = await ctx.access.require(accountId, 'account.view');
    const page = pageRequest(args, { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] });
    const rows = await senderIdsOfChain(ctx.dataSource, chain, page);
    return toConnection(rows, page, (row) => [row.createdAtKey, row.id]);
  },

  /**
   * Alphanumeric tags are active at once; dedicated numbers and short codes wait for provisioning
   * (activateSenderId); a personal mobile number receives a 6-digit code through the carrier.
   */
  async request(ctx: MessagingContext, accountId: string, input: SenderIdRequest): Promise<SenderIdRow> {
    const chain = await ctx.access.require(accountId, 'system-configuration');
    requireActiveChain(chain);
    const { value, status } = validRequest(ctx, input.kind, input.value);
    const code = String(crypto.randomInt(0, 1_000_000)).padStart(6, '0');
    const created = await mutate(auditScope(ctx, chain), 'requestSenderId', async (tx) => {
      const row = await insertSenderId(tx, {
        accountId: chain.id,
        kind: input.kind,
        value,
        status,
        sharedDown: input.sharedDown ?? false,
        verificationCodeHash: input.kind === 'PERSONAL_NUMBER' ? hash(code) : null,
        verificationTtlMinutes: VERIFICATION_TTL_MINUTES,
      });
      return { result: row, targetType: 'SenderId', targetId: row.id, after: { kind: row.kind, status: row.status, sharedDown: row.sharedDown } };
    });
    if (created.kind === 'PERSONAL_NUMBER') {
      await ctx.carrier.send([{ messageId: crypto.randomUUID(), recipient: value, sender: 'VERIFY', body: `Your verification code is ${code}`, wantsReceipt: false }]);
    }
    return created;
  },

  async verify(ctx: MessagingContext, id: string, code: string): Promise<SenderIdRow> {
    const { sender, chain } = await loadForAdmin(ctx, id, 'system-configuration');
    if (sender.status !== 'PENDING_VERIFICATION') throw new AppError('INVALID_STATE', 'The sender ID is not waiting for verification');
    return mutate(auditScope(ctx, chain), 'verifySenderId', async (tx) => {
      const row = await activateVerified(tx, sender.id, hash(code.trim()));
      if (!row) throw new AppError('INVALID_VERIFICATION_CODE', 'The code is wrong or expired');
      return { result: row, targetType: 'SenderId', targetId: row.id, before: { status: sender.status }, after: { status: row.status } };
    });
  },

  /**
   * The operator's review of a requested dedicated number, short code or alphanumeric tag (SPEC O3):
   * carriers vet them, so only an operator with `approvals` activates or rejects one (with a reason the
   * customer reads). Per-country alphanumeric rules were checked when it was requested.
   */
  async review(ctx: MessagingContext, id: string, review: { decision: 'ACTIVE' } | { decision: 'REJECTED'; reason: string }): Promise<SenderIdRow> {
    ctx.access.requireOperator('approvals');
    const sender = await findSenderId(ctx.dataSource, assertId(id));
    if (!sender) throw errors.notFound('Sender ID');
    const chain = await ctx.access.requireAsOperator(sender.accountId, 'approvals');
    const reason = review.decision === 'REJECTED' ? assertName(review.reason, 'reason', 500) : null;
    if (sender.status !== 'REQUESTED') throw new AppError('INVALID_STATE', 'Only a requested sender ID can be reviewed');
    const action = review.decision === 'ACTIVE' ? 'activateSenderId' : 'rejectSenderId';
    return mutate(auditScope(ctx, chain), action, async (tx) => {
      const row = reason === null ? await activateRequested(tx, sender.id) : await rejectRequested(tx, sender.id, reason);
      if (!row) throw new AppError('INVALID_STATE', 'Only a requested sender ID can be reviewed');
      return { result: row, targetType: 'SenderId', targetId: row.id, before: { status: sender.status }, after: { status: row.status, ...(reason ? { reason } : {}) } };
    });
  },

  async pending(ctx: MessagingContext, args: PageArguments) {
    ctx.access.requireOperator('approvals');
    const page = pageRequest(args, { defaultSize: 20, maxSize: 100, keyShape: ['string', 'string'] });
    const rows = await requestedSenderIds(ctx.dataSource, page);
    return toConnection(rows, page, (row) => [row.createdAtKey, row.id]);
  },
};
