import crypto from 'node:crypto';
import { loadEffectiveSettingsAlongPath, lockChainForSpending, samePath, type AccountChain } from '@platform/authz';
import type { CreditReservation } from '@platform/billing-client';
import { AppError, assertId, errors, type ErrorCode } from '@platform/errors';
import { queryRows } from '@platform/db';
import type { MessagingContext } from '../context';
import { isCountryCode, toE164 } from '../phone';
import { applyUsage } from '../reporting/usage';
import { localDate, nextAllowedInstant } from '../sending-window';
import { composeMessages, resolveContent } from '../features/compose';
import { forgetNumberPolicies, mutate, numberPolicy, requireActiveChain } from './access';
import { usableGroups } from './contacts';
import { usableSenderId } from './sender-ids';

export interface SendInput {
  accountId: string;
  to?: string[] | null;
  contactIds?: string[] | null;
  groupIds?: string[] | null;
  /** a body, or a template (SPEC M6: templateId, else the account's default template) */
  body?: string | null;
  templateId?: string | null;
  senderId?: string | null;
  scheduledAt?: string | null;
  idempotencyKey?: string | null;
  defaultCountry?: string | null;
}

export interface SendResult {
  batchId: string;
  accepted: number;
  status: 'QUEUED' | 'SCHEDULED';
  sendAt: string;
  encoding: string;
  partsPerMessage: number;
  costUnits: number;
  /** recipients not sent to, numbers as the caller may see them */
  skipped: { recipient: string; reason: string }[];
  /** ids of the messages when there are at most 100 */
  messageIds: string[];
}

const MAX_LISTED = 100;
const MAX_SCHEDULE_DAYS = 365;

interface Recipient {
  phone: string;
  contactId: string | null;
}

type SendAction = 'sendMessage' | 'sendBulk' | 'replyToConversation' | 'emailToSms' | 'automationReply';

/**
 * A send is decided on one version of the account's chain (SPEC H7): billing reserves on the path
 * messaging read, and messaging counts on it under the tree's move lock. When the account moved in
 * between, nothing is kept and the send is decided once more on the new chain; a second move in
 * that window refuses it with CHAIN_CHANGED (retryable).
 */
export async function send(ctx: MessagingContext, input: SendInput, action: SendAction, narrowToOwnConversations = false): Promise<SendResult> {
  try {
    return await sendOnChain(ctx, input, action, narrowToOwnConversations);
  } catch (error) {
    if (!(error instanceof AppError && error.code === 'CHAIN_CHANGED')) throw error;
    ctx.access.clearCache();
    forgetNumberPolicies(ctx);
    return sendOnChain(ctx, input, action, narrowToOwnConversations);
  }
}

const chainChanged = () => new AppError('CHAIN_CHANGED', 'The account moved in its tree while the send was decided; send again', { retryable: true });

/**
 * One send (SPEC M1, M2): every check before anything is written, then credit is reserved in
 * billing, then one transaction writes the batch, its messages (one INSERT … SELECT), the limit
 * counters (conditional updates in a fixed order), the usage rollups and the activity entry.
 * A refusal after the reservation releases it; a retried idempotency key returns the first answer.
 */
async function sendOnChain(ctx: MessagingContext, input: SendInput, action: SendAction, narrowToOwnConversations: boolean): Promise<SendResult> {
  const chain = await ctx.access.require(input.accountId, 'messages.send');
  requireActiveChain(chain);
  const idempotencyKey = input.idempotencyKey ?? crypto.randomUUID();
  if (idempotencyKey.length < 8 || idempotencyKey.length > 100) throw errors.badInput('idempotencyKey must have 8 to 100 characters', 'idempotencyKey');
  const requestHash = crypto.createHash('sha256').update(JSON.stringify([action, input.to ?? [], input.contactIds ?? [], input.groupIds ?? [], input.body ?? null, input.senderId ?? null, input.scheduledAt ?? null, ctx.access.userId, ...(input.templateId ? [input.templateId] : [])])).digest('hex');
  const replay = await previousAnswer(ctx, chain.id, idempotencyKey, requestHash);
  if (replay) return replay;

  const settingsPath = await loadEffectiveSettingsAlongPath(ctx.dataSource, chain.path);
  const settings = settingsPath[settingsPath.length - 1].values;
  // Body, template or default template (SPEC M6); validated before anything else is read.
  const content = await resolveContent(ctx, chain, input, settings);
  const policy = await numberPolicy(ctx, chain.id);

  // Sender (SPEC M7, I6): the shared pool unless a sender ID is named or the account has a default.
  const senderId = input.senderId ? assertId(input.senderId, 'senderId') : settings.defaultSenderId;
  const sender = senderId ? await usableSenderId(ctx.dataSource, chain, senderId) : null;
  if (senderId && !sender) throw new AppError('SENDER_NOT_ALLOWED', 'The sender ID is not active or not available to this account', { field: 'senderId' });
  if (policy.limits.allowedSenderIds !== null && (!sender || !policy.limits.allowedSenderIds.includes(sender.id))) {
    throw new AppError('SENDER_NOT_ALLOWED', 'You may send only from your allowed sender IDs', { field: 'senderId' });
  }

  // Recipients.
  const country = (input.defaultCountry ?? ctx.config.messaging.defaultCountry).toUpperCase();
  if (!isCountryCode(country)) throw errors.badInput('defaultCountry must be an ISO 3166 alpha-2 code', 'defaultCountry');
  const skipped: SendResult['skipped'] = [];
  const recipients = new Map<string, Recipient>();
  for (const raw of input.to ?? []) {
    const phone = toE164(raw, country);
    if (!phone) {
      if (action !== 'sendBulk') throw new AppError('INVALID_PHONE_NUMBER', 'A recipient is not a valid phone number', { field: 'to' });
      skipped.push({ recipient: policy.show(raw.trim().slice(0, 32)), reason: 'INVALID_PHONE_NUMBER' });
      continue;
    }
    recipients.set(phone, { phone, contactId: null });
  }
  const contactIds = (input.contactIds ?? []).map((id) => assertId(id, 'contactIds'));
  const groupIds = (input.groupIds ?? []).map((id) => assertId(id, 'groupIds'));
  if (groupIds.length) {
    const groups = await usableGroups(ctx, ctx.dataSource, chain, groupIds, 'send');
    if (groups.length !== new Set(groupIds).size) throw errors.notFound('Contact group');
  }
  if (contactIds.length || groupIds.length) {
    const sendableGroups = (await usableGroups(ctx, ctx.dataSource, chain, null, 'send')).map((g) => g.id);
    const rows = await queryRows<{ id: string; phone_number: string }>(
      ctx.dataSource,
      `SELECT c.id, c.phone_number FROM messaging.contacts c
        WHERE (c.id = ANY($1::uuid[]) AND ((c.account_id = $3 AND $4::boolean) OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($5::uuid[]))))
           OR c.id IN (SELECT contact_id FROM messaging.group_members WHERE group_id = ANY($2::uuid[]))`,
      [contactIds, groupIds, chain.id, policy.selectedGroupIds === null, sendableGroups],
    );
    const found = new Set(rows.map((r) => r.id));
    if (contactIds.some((id) => !found.has(id))) throw errors.notFound('Contact');
    for (const row of rows) if (!recipients.has(row.phone_number)) recipients.set(row.phone_number, { phone: row.phone_number, contactId: row.id });
  }
  if (narrowToOwnConversations) {
    // Basic users reply only to conversations of their own messages (SPEC M4).
    for (const phone of [...recipients.keys()]) {
      const [own] = await ctx.dataSource.query(`SELECT 1 FROM messaging.messages WHERE account_id = $1 AND recipient = $2 AND user_id = $3 LIMIT 1`, [chain.id, phone, ctx.access.userId]);
      if (!own) throw errors.notFound('Conversation');
    }
  }
  const optedOut = new Set(
    (await queryRows<{ phone_number: string }>(ctx.dataSource, `SELECT phone_number FROM messaging.opt_outs WHERE account_id = $1 AND phone_number = ANY($2::text[])`, [chain.id, [...recipients.keys()]])).map((r) => r.phone_number),
  );
  for (const phone of optedOut) {
    recipients.delete(phone);
    skipped.push({ recipient: policy.show(phone), reason: 'OPTED_OUT' });
  }
  if (recipients.size === 0 && skipped.length === 0) throw new AppError('NO_RECIPIENTS', 'Name at least one number, contact or group with contacts');
  // Each recipient's body (placeholders, short links: SPEC M6, M8), its parts and cost.
  const recipientList = [...recipients.values()];
  const composed = await composeMessages(ctx, chain, settings, content, recipientList, policy);
  const { encoding, partsPerMessage } = composed;

  // When (SPEC H5 sending window, in the account timezone).
  const now = new Date();
  let requested = now;
  if (input.scheduledAt) {
    requested = new Date(input.scheduledAt);
    if (Number.isNaN(requested.getTime())) throw errors.badInput('scheduledAt must be an ISO 8601 date-time', 'scheduledAt');
    if (requested.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) throw errors.badInput(`scheduledAt must be within ${MAX_SCHEDULE_DAYS} days`, 'scheduledAt');
    if (requested < now) requested = now;
  }
  const sendAt = nextAllowedInstant(requested, settings.sendingWindow, settings.timezone);
  const scheduled = sendAt.getTime() > now.getTime();
  const status = scheduled ? 'SCHEDULED' : 'QUEUED';
  const units = composed.units;
  const batchId = crypto.randomUUID();

  // Credit (SPEC B3): one reservation for the whole batch, held until the send time (at most a day; see settleBatch).
  let reservation: CreditReservation | null = null;
  if (units > 0) {
    try {
      reservation = await ctx.billing.reserve({
        accountId: chain.id,
        userId: ctx.access.userId,
        units,
        // One reservation per attempt, never per client key: a retry after a refusal is decided afresh
        // and must not be handed the released hold of the refused attempt.
        idempotencyKey: `send:${chain.id}:${idempotencyKey}:${batchId}`,
        reference: `send:${idempotencyKey}`,
        holdSeconds: scheduled ? Math.min(86_400, Math.ceil((sendAt.getTime() - now.getTime()) / 1000) + 600) : 600,
        accountPath: chain.path,
      });
    } catch (error) {
      // A concurrent request with the same key may have been accepted meanwhile: its answer stands.
      const concurrent = await previousAnswer(ctx, chain.id, idempotencyKey, requestHash);
      if (concurrent) return concurrent;
      if (error instanceof AppError) {
        if (error.code === 'CHAIN_CHANGED') throw chainChanged();
        // Billing's refusals of the send itself reach the client (their limit details trimmed to what it may see); a refusal of messaging's own signature is an internal fault.
        if (!SENDER_FACING_BILLING_CODES.has(error.code)) throw new AppError('INTERNAL_SERVER_ERROR', error.message);
        throw new AppError(error.code, error.message, await visibleLimitDetails(ctx, chain, error.extensions as Record<string, unknown>));
      }
      throw error;
    }
  }

  const day = localDate(now, settings.timezone);
  let result: SendResult;
  try {
    result = await mutate(ctx, chain, action, async (tx) => {
      const locked = await lockChainForSpending(tx, chain.id);
      if (!locked || !samePath(locked.path, chain.path)) throw chainChanged();
      const [claimed] = await queryRows<{ id: string }>(
        tx,
        `INSERT INTO messaging.send_batches (id, account_id, user_id, idempotency_key, request_hash, reservation_id, credit_state, send_at, units, result)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '{}') ON CONFLICT (account_id, idempotency_key) DO NOTHING RETURNING id`,
        [batchId, chain.id, ctx.access.userId, idempotencyKey, requestHash, reservation?.id ?? null, reservation ? 'HELD' : 'NONE', sendAt, units],
      );
      if (!claimed) throw new ConcurrentReplay();
      const inserted = await queryRows<{ id: string; parts: number }>(
        tx,
        `INSERT INTO messaging.messages (id, account_id, user_id, recipient, contact_id, body, parts, status, batch_id, sender_id, sender_value, encoding, cost_units, usage_day, send_at, wants_receipt)
         SELECT r.id, $1, $2, r.phone, r.contact_id, r.body, r.parts, $7, $8, $9, $10, r.encoding, r.parts, $12::date, $13::timestamptz, $14::boolean
           FROM unnest($3::text[], $4::uuid[], $5::uuid[], $6::text[], $11::int[], $15::text[]) AS r(phone, contact_id, id, body, parts, encoding)
          WHERE NOT EXISTS (SELECT 1 FROM messaging.opt_outs o WHERE o.account_id = $1 AND o.phone_number = r.phone)
         RETURNING id, parts`,
        [chain.id, ctx.access.userId, recipientList.map((r) => r.phone), recipientList.map((r) => r.contactId), composed.ids, composed.bodies, status, batchId, sender?.id ?? null, sender?.value ?? 'SHARED', composed.parts, day, sendAt, settings.deliveryReceipts, composed.encodings],
      );
      const accepted = inserted.length;
      const acceptedParts = inserted.reduce((sum, r) => sum + r.parts, 0);
      await composed.afterInsert(tx, batchId);
      await consumeSmsLimits(tx, chain, settingsPath.map((s) => s.values), now, accepted);
      await applyUsage(tx, accepted ? [{ accountId: chain.id, userId: ctx.access.userId, senderId: sender?.id ?? null, day, messages: accepted, parts: acceptedParts, delivered: 0, failed: 0, costUnits: acceptedParts }] : []);
      const answer: SendResult = {
        batchId,
        accepted,
        status,
        sendAt: sendAt.toISOString(),
        encoding,
        partsPerMessage,
        costUnits: acceptedParts,
        skipped,
        messageIds: accepted <= MAX_LISTED ? inserted.map((r) => r.id) : [],
      };
      await tx.query(`UPDATE messaging.send_batches SET result = $2, units = $3 WHERE id = $1`, [batchId, JSON.stringify(answer), acceptedParts]);
      return { result: answer, targetType: 'SendBatch', targetId: batchId, after: { accepted, costUnits: acceptedParts, status, sendAt: answer.sendAt, skipped: skipped.length, ...(content.templateId ? { templateId: content.templateId } : {}) } };
    });
  } catch (error) {
    // The reservation is this attempt's own: whatever refused the send, its hold goes back.
    if (reservation) await ctx.billing.release(reservation.id).catch(() => undefined);
    const concurrent = await previousAnswer(ctx, chain.id, idempotencyKey, requestHash);
    if (concurrent) return concurrent;
    throw error;
  }
  if (reservation && !scheduled) {
    try {
      await ctx.billing.capture(reservation.id, result.costUnits || undefined);
      await ctx.dataSource.query(`UPDATE messaging.send_batches SET credit_state = 'CAPTURED' WHERE id = $1 AND credit_state = 'HELD'`, [batchId]);
    } catch (error) {
      ctx.logger.warn({ err: error, batchId }, 'capture after send failed; the delivery worker retries it');
    }
  }
  return result;
}

class ConcurrentReplay extends Error {}

/**
 * The binding limit of an INSUFFICIENT_CREDIT refusal, as the caller may see it: `limitOf` says
 * whether it is the account's own or an ancestor's; an ancestor's id is kept only for callers who
 * can see that ancestor (SPEC H3).
 */
const SENDER_FACING_BILLING_CODES = new Set<ErrorCode>(['INSUFFICIENT_CREDIT', 'IDEMPOTENCY_KEY_REUSED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_CLOSED']);

async function visibleLimitDetails(ctx: MessagingContext, chain: AccountChain, extensions: Record<string, unknown>): Promise<Record<string, unknown>> {
  const limitAccountId = extensions.limitAccountId;
  if (typeof limitAccountId !== 'string') return extensions;
  return {
    ...extensions,
    limitOf: limitAccountId === chain.id ? 'ACCOUNT' : 'ANCESTOR',
    limitAccountId: (await ctx.access.canView(limitAccountId)) ? limitAccountId : null,
  };
}

async function previousAnswer(ctx: MessagingContext, accountId: string, idempotencyKey: string, requestHash: string): Promise<SendResult | null> {
  const [previous] = await queryRows<{ request_hash: string; result: SendResult }>(
    ctx.dataSource,
    `SELECT request_hash, result FROM messaging.send_batches WHERE account_id = $1 AND idempotency_key = $2`,
    [accountId, idempotencyKey],
  );
  if (!previous) return null;
  if (previous.request_hash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'The idempotency key was already used for another send');
  return previous.result;
}

/**
 * Daily and monthly SMS limits (SPEC H5) of the account and of each ancestor: every account on the
 * path counts the messages of its whole subtree per local day and month (its own timezone), and its
 * effective limits cap those counts. Counter rows are locked root first, day before month, so
 * concurrent sends queue instead of deadlocking, and the check and the increment are one decision.
 */
async function consumeSmsLimits(
  tx: { query(sql: string, p?: unknown[]): Promise<any> }, // eslint-disable-line @typescript-eslint/no-explicit-any
  chain: AccountChain,
  settingsPath: { timezone: string; smsLimits: { daily: number | null; monthly: number | null } }[],
  now: Date,
  count: number,
): Promise<void> {
  if (count === 0) return;
  const keys = chain.path.flatMap((accountId, depth) => {
    const { timezone, smsLimits } = settingsPath[depth];
    const day = localDate(now, timezone);
    return [
      { accountId, kind: 'DAY', start: day, limit: smsLimits.daily, depth },
      { accountId, kind: 'MONTH', start: `${day.slice(0, 7)}-01`, limit: smsLimits.monthly, depth },
    ];
  });
  const params = [keys.map((k) => k.accountId), keys.map((k) => k.kind), keys.map((k) => k.start)];
  await tx.query(
    `INSERT INTO messaging.sms_counters (account_id, period_kind, period_start)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::date[]) ON CONFLICT DO NOTHING`,
    params,
  );
  const rows: { account_id: string; period_kind: string; used: number; ord: number }[] = await tx.query(
    `SELECT c.account_id, c.period_kind, c.used, k.ord FROM messaging.sms_counters c
       JOIN unnest($1::uuid[], $2::text[], $3::date[]) WITH ORDINALITY AS k(account_id, period_kind, period_start, ord)
         ON c.account_id = k.account_id AND c.period_kind = k.period_kind AND c.period_start = k.period_start
      ORDER BY k.ord FOR UPDATE OF c`,
    params,
  );
  for (const row of rows) {
    const key = keys[Number(row.ord) - 1];
    if (key.limit !== null && row.used + count > key.limit) {
      // An ancestor is named only by position: the caller may not see it (SPEC H3).
      throw new AppError('OUTSIDE_LIMIT', `The ${key.kind === 'DAY' ? 'daily' : 'monthly'} SMS limit of ${key.limit} messages would be exceeded`, {
        limitOf: key.accountId === chain.id ? 'ACCOUNT' : 'ANCESTOR',
        period: key.kind,
        limit: key.limit,
        used: row.used,
      });
    }
  }
  await tx.query(
    `UPDATE messaging.sms_counters c SET used = c.used + $4
       FROM unnest($1::uuid[], $2::text[], $3::date[]) AS k(account_id, period_kind, period_start)
      WHERE c.account_id = k.account_id AND c.period_kind = k.period_kind AND c.period_start = k.period_start`,
    [...params, count],
  );
}
