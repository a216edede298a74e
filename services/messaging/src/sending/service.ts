import crypto from 'node:crypto';
import { effectiveSettingsAlongPath, type AccountChain, type SettingValues } from '@platform/authz';
import type { CreditReservation } from '@platform/billing-client';
import { AppError, assertId, errors, type ErrorCode } from '@platform/errors';
import { activityAppendPart, activityEntry, mutate, recordActivity, recordActivityAfter } from '@platform/audit';
import { inTransaction, pageRequest, toConnection, type Connection } from '@platform/db';
import type { MessagingContext } from '../context';
import { forgetNumberPolicies, auditScope, numberPolicy, outboundAuthorScope, requireActiveChain, type NumberPolicy } from '../access/access';
import { optedOutNumbers, recipientContacts } from '../contacts/store';
import { usableGroups } from '../contacts/service';
import { isCountryCode, toE164 } from '../phone/phone';
import { publishStatusChanges } from '../pipeline/status-events';
import { usageChanges } from '../pipeline/usage-changes';
import { queueUsageChanges } from '../reporting/usage-outbox';
import { usableSenderId, type SenderIdRow } from '../sender-ids/store';
import { composeMessages, resolveContent, type ComposedMessages, type ComposeRecipient, type SendContent } from './compose';
import { localDate, nextAllowedInstant } from './sending-window';
import { smsLimitStatement } from './sms-limits';
import {
  cancelScheduled,
  completeBatch,
  findBatchByKey,
  findMessage,
  hasSentTo,
  insertBatch,
  sendSettingsAndOptOuts,
  ONE_STATEMENT_COUNT_WHEN,
  ONE_STATEMENT_FIRST_FREE_PARAMETER,
  sendInOneStatement,
  type NewBatch,
  type NewMessages,
  countMessages,
  messagesPage,
  releaseCancelledBatch,
  type MessageListQuery,
  type MessageRow,
} from './store';
import type { QueryMessagesArgs, SendBulkInput, SmsEncoding } from '../__generated__/resolvers-types';

/** A page of messages; `count` is its totalCount (null unless the list is one batch's). */
export type MessagePage = Connection<MessageRow> & { count: () => Promise<number | null> };

const MESSAGE_PAGE = { defaultSize: 50, maxSize: 500, keyShape: ['string', 'string'] } as const;

export interface SendAnswer {
  batchId: string;
  accepted: number;
  status: 'QUEUED' | 'SCHEDULED';
  sendAt: string;
  encoding: SmsEncoding;
  partsPerMessage: number;
  costUnits: number;
  /** recipients not sent to, numbers as the caller may see them */
  skipped: { recipient: string; reason: string }[];
  /** ids of the messages when there are at most 100 */
  messageIds: string[];
}

const MAX_LISTED = 100;
const MAX_SCHEDULE_DAYS = 365;

type SendAction = 'sendMessage' | 'sendBulk' | 'replyToConversation' | 'emailToSms' | 'automationReply';

/**
 * A send is decided on one version of the account's chain (SPEC H7): billing reserves on the path
 * messaging read, and messaging counts on it under the tree's move lock. When the account moved in
 * between, nothing is kept and the send is decided once more on the new chain; a second move in
 * that window refuses it with CHAIN_CHANGED (retryable).
 */
export async function send(ctx: MessagingContext, input: SendBulkInput, action: SendAction, narrowToOwnConversations = false): Promise<SendAnswer> {
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

/** What one attempt of a send has decided before it writes. */
interface SendPlan {
  chain: AccountChain;
  action: SendAction;
  idempotencyKey: string;
  requestHash: string;
  settingsPath: SettingValues[];
  settings: SettingValues;
  content: SendContent;
  sender: SenderIdRow | null;
  recipients: ComposeRecipient[];
  skipped: SendAnswer['skipped'];
  composed: ComposedMessages;
  now: Date;
  sendAt: Date;
  scheduled: boolean;
  batchId: string;
}

/**
 * One send (SPEC M1, M2): every check before anything is written, then credit is reserved in
 * billing, then one statement (writeBatch; one transaction where it must) writes the batch, its
 * messages, their usage change and status events, the limit counters (a conditional upsert in a
 * fixed order) and the activity entry.
 * A refusal after the reservation releases it; a retried idempotency key returns the first answer.
 * The reservation is captured by the delivery worker (settleDueBatches: the due batches of a round
 * in one call), which delivers a batch's messages only once it is captured.
 */
async function sendOnChain(ctx: MessagingContext, input: SendBulkInput, action: SendAction, narrowToOwnConversations: boolean): Promise<SendAnswer> {
  // The numbers asked, parsed once; which of them opted out is read with the settings, the chain and
  // the caller's grants, in one statement, before the access is decided on them.
  const numbers = askedNumbers(ctx, input);
  const reads = await sendSettingsAndOptOuts(ctx.access, input.accountId, numbers.phones);
  const chain = await ctx.access.require(input.accountId, 'messages.send');
  requireActiveChain(chain);
  const { idempotencyKey, requestHash } = idempotencyOf(ctx, input, action);
  // A key the client did not give is new: no earlier send can hold it.
  const replay = input.idempotencyKey ? await previousAnswer(ctx, chain.id, idempotencyKey, requestHash) : null;
  if (replay) return replay;

  const settingsPath = effectiveSettingsAlongPath(chain.path, reads.overrides).map((s) => s.values);
  const settings = settingsPath[settingsPath.length - 1];
  // Body, template or default template (SPEC M6); validated before anything else is read.
  const content = await resolveContent(ctx, chain, input, settings);
  const policy = await numberPolicy(ctx, chain.id);
  const sender = await chooseSender(ctx, chain, input, settings, policy);
  const { recipients, skipped } = await collectRecipients(ctx, chain, input, action, policy, narrowToOwnConversations, { ...numbers, optedOut: reads.optedOut });
  // Each recipient's body (placeholders, short links: SPEC M6, M8), its parts and cost.
  const composed = await composeMessages(ctx, chain, settings, content, recipients, policy);
  const { now, sendAt, scheduled } = sendTime(input.scheduledAt, settings);
  const plan: SendPlan = { chain, action, idempotencyKey, requestHash, settingsPath, settings, content, sender, recipients, skipped, composed, now, sendAt, scheduled, batchId: crypto.randomUUID() };

  const credit = await reserveCredit(ctx, plan);
  if ('answer' in credit) return credit.answer;
  let result: SendAnswer;
  try {
    result = await writeBatch(ctx, plan, credit.reservation);
  } catch (error) {
    // The reservation is this attempt's own: whatever refused the send, its hold goes back.
    if (credit.reservation) await ctx.billing.release(credit.reservation.id).catch(() => undefined);
    const concurrent = await previousAnswer(ctx, chain.id, idempotencyKey, requestHash);
    if (concurrent) return concurrent;
    throw error;
  }
  return result;
}

/** The client's idempotency key (a fresh one when none is given) and the hash of what it asks for. */
function idempotencyOf(ctx: MessagingContext, input: SendBulkInput, action: SendAction): { idempotencyKey: string; requestHash: string } {
  const idempotencyKey = input.idempotencyKey ?? crypto.randomUUID();
  if (idempotencyKey.length < 8 || idempotencyKey.length > 100) throw errors.badInput('idempotencyKey must have 8 to 100 characters', 'idempotencyKey');
  const asked = [action, input.to ?? [], input.contactIds ?? [], input.groupIds ?? [], input.body ?? null, input.senderId ?? null, input.scheduledAt ?? null, ctx.access.userId, ...(input.templateId ? [input.templateId] : [])];
  return { idempotencyKey, requestHash: crypto.createHash('sha256').update(JSON.stringify(asked)).digest('hex') };
}

/** Sender (SPEC M7, I6): the shared pool unless a sender ID is named or the account has a default. */
async function chooseSender(ctx: MessagingContext, chain: AccountChain, input: SendBulkInput, settings: SettingValues, policy: NumberPolicy): Promise<SenderIdRow | null> {
  const senderId = input.senderId ? assertId(input.senderId, 'senderId') : settings.defaultSenderId;
  const sender = senderId ? await usableSenderId(ctx.dataSource, chain, senderId) : null;
  if (senderId && !sender && !input.senderId) {
    throw new AppError('DEFAULT_SENDER_UNAVAILABLE', 'The default sender ID of the account (setting defaultSenderId) is no longer active or available to it; name a senderId or change the setting', { field: 'senderId' });
  }
  if (senderId && !sender) throw new AppError('SENDER_NOT_ALLOWED', 'The sender ID is not active or not available to this account', { field: 'senderId' });
  if (policy.limits.allowedSenderIds !== null && (!sender || !policy.limits.allowedSenderIds.includes(sender.id))) {
    throw new AppError('SENDER_NOT_ALLOWED', 'You may send only from your allowed sender IDs', { field: 'senderId' });
  }
  return sender;
}

/** The numbers of `to`, each parsed in the send's country (null: not a number); none when that country is not a country code (collectRecipients refuses it). */
interface AskedNumbers {
  country: string;
  parsed: { raw: string; phone: string | null }[];
  /** the numbers among them, E.164 */
  phones: string[];
}

function askedNumbers(ctx: MessagingContext, input: SendBulkInput): AskedNumbers {
  const country = (input.defaultCountry ?? ctx.config.messaging.defaultCountry).toUpperCase();
  const parsed = isCountryCode(country) ? (input.to ?? []).map((raw) => ({ raw, phone: toE164(raw, country) })) : [];
  return { country, parsed, phones: parsed.flatMap(({ phone }) => (phone ? [phone] : [])) };
}

/**
 * Numbers, contacts and group members, each number once; opted-out (and, in bulk, invalid) numbers
 * are skipped and reported. The opt-outs of the numbers asked come read (`asked.optedOut`); those of
 * contacts' numbers are read here.
 */
async function collectRecipients(
  ctx: MessagingContext,
  chain: AccountChain,
  input: SendBulkInput,
  action: SendAction,
  policy: NumberPolicy,
  narrowToOwnConversations: boolean,
  asked: AskedNumbers & { optedOut: ReadonlySet<string> },
): Promise<{ recipients: ComposeRecipient[]; skipped: SendAnswer['skipped'] }> {
  if (!isCountryCode(asked.country)) throw errors.badInput('defaultCountry must be an ISO 3166 alpha-2 code', 'defaultCountry');
  const skipped: SendAnswer['skipped'] = [];
  const recipients = new Map<string, ComposeRecipient>();
  for (const { raw, phone } of asked.parsed) {
    if (!phone) {
      if (action !== 'sendBulk') throw new AppError('INVALID_PHONE_NUMBER', 'A recipient is not a valid phone number', { field: 'to' });
      skipped.push({ recipient: policy.show(raw.trim().slice(0, 32)), reason: 'INVALID_PHONE_NUMBER' });
      continue;
    }
    recipients.set(phone, { phone, contactId: null });
  }
  for (const contact of await contactRecipients(ctx, chain, input, policy)) if (!recipients.has(contact.phone)) recipients.set(contact.phone, contact);
  if (narrowToOwnConversations) {
    // Basic users reply only to conversations of their own messages (SPEC M4).
    for (const phone of recipients.keys()) if (!(await hasSentTo(ctx.dataSource, chain.id, phone, ctx.access.userId))) throw errors.notFound('Conversation');
  }
  const askedPhones = new Set(asked.phones);
  const unread = [...recipients.keys()].filter((phone) => !askedPhones.has(phone));
  const contactsOptedOut = unread.length ? await optedOutNumbers(ctx.dataSource, chain.id, unread) : new Set<string>();
  for (const phone of [...recipients.keys()]) {
    if (!asked.optedOut.has(phone) && !contactsOptedOut.has(phone)) continue;
    recipients.delete(phone);
    skipped.push({ recipient: policy.show(phone), reason: 'OPTED_OUT' });
  }
  if (recipients.size === 0 && skipped.length === 0) throw new AppError('NO_RECIPIENTS', 'Name at least one number, contact or group with contacts');
  return { recipients: [...recipients.values()], skipped };
}

/** The contacts named and the members of the groups named, among those the caller may send to (SPEC M5, I6). */
async function contactRecipients(ctx: MessagingContext, chain: AccountChain, input: SendBulkInput, policy: NumberPolicy): Promise<ComposeRecipient[]> {
  const contactIds = (input.contactIds ?? []).map((id) => assertId(id, 'contactIds'));
  const groupIds = (input.groupIds ?? []).map((id) => assertId(id, 'groupIds'));
  if (groupIds.length) {
    const groups = await usableGroups(ctx, ctx.dataSource, chain, groupIds, 'send');
    if (groups.length !== new Set(groupIds).size) throw errors.notFound('Contact group');
  }
  if (!contactIds.length && !groupIds.length) return [];
  const sendableGroupIds = (await usableGroups(ctx, ctx.dataSource, chain, null, 'send')).map((g) => g.id);
  const rows = await recipientContacts(ctx.dataSource, chain, { contactIds, groupIds, ownContacts: policy.selectedGroupIds === null, sendableGroupIds });
  const found = new Set(rows.map((r) => r.id));
  if (contactIds.some((id) => !found.has(id))) throw errors.notFound('Contact');
  return rows.map((row) => ({ phone: row.phone_number, contactId: row.id }));
}

/** When (SPEC H5 sending window, in the account timezone): now or the time asked, moved into the window. */
function sendTime(scheduledAt: Date | null | undefined, settings: SettingValues): { now: Date; sendAt: Date; scheduled: boolean } {
  const now = new Date();
  let requested = now;
  if (scheduledAt) {
    requested = scheduledAt;
    if (requested.getTime() > now.getTime() + MAX_SCHEDULE_DAYS * 86_400_000) throw errors.badInput(`scheduledAt must be within ${MAX_SCHEDULE_DAYS} days`, 'scheduledAt');
    if (requested < now) requested = now;
  }
  const sendAt = nextAllowedInstant(requested, settings.sendingWindow, settings.timezone);
  return { now, sendAt, scheduled: sendAt.getTime() > now.getTime() };
}

/**
 * Credit (SPEC B3): one reservation for the whole batch, held until the send time (at most a day;
 * see settleBatch). When billing refuses and a concurrent request with the same key was accepted
 * meanwhile, that request's answer stands.
 */
async function reserveCredit(ctx: MessagingContext, plan: SendPlan): Promise<{ reservation: CreditReservation | null } | { answer: SendAnswer }> {
  const { chain, composed, scheduled, sendAt, now, idempotencyKey } = plan;
  if (composed.units === 0) return { reservation: null };
  try {
    const reservation = await ctx.billing.reserve({
      accountId: chain.id,
      userId: ctx.access.userId,
      units: composed.units,
      // One reservation per attempt, never per client key: a retry after a refusal is decided afresh
      // and must not be handed the released hold of the refused attempt.
      idempotencyKey: `send:${chain.id}:${idempotencyKey}:${plan.batchId}`,
      reference: `send:${idempotencyKey}`,
      holdSeconds: scheduled ? Math.min(86_400, Math.ceil((sendAt.getTime() - now.getTime()) / 1000) + 600) : 600,
      accountPath: chain.path,
    });
    return { reservation };
  } catch (error) {
    const concurrent = await previousAnswer(ctx, chain.id, idempotencyKey, plan.requestHash);
    if (concurrent) return { answer: concurrent };
    throw await billingRefusal(ctx, chain, error);
  }
}

/** Billing's refusals of the send itself reach the client (their limit details trimmed to what it may see); a refusal of messaging's own signature is an internal fault. */
async function billingRefusal(ctx: MessagingContext, chain: AccountChain, error: unknown): Promise<unknown> {
  if (!(error instanceof AppError)) return error;
  if (error.code === 'CHAIN_CHANGED') return chainChanged();
  if (!SENDER_FACING_BILLING_CODES.has(error.code)) return new AppError('INTERNAL_SERVER_ERROR', error.message);
  return new AppError(error.code, error.message, await visibleLimitDetails(ctx, chain, error.extensions as Record<string, unknown>));
}

/**
 * A send's writes: in one statement, its own transaction, when nothing asks for more
 * (writeBatchInOneStatement), else in one transaction (writeBatchInTransaction).
 */
async function writeBatch(ctx: MessagingContext, plan: SendPlan, reservation: CreditReservation | null): Promise<SendAnswer> {
  return (await writeBatchInOneStatement(ctx, plan, reservation)) ?? writeBatchInTransaction(ctx, plan, reservation);
}

/** The answer of a send that accepted the messages `ids` for `costUnits`. */
function answerOf(plan: SendPlan, ids: string[], costUnits: number): SendAnswer {
  return {
    batchId: plan.batchId,
    accepted: ids.length,
    status: plan.scheduled ? 'SCHEDULED' : 'QUEUED',
    sendAt: plan.sendAt.toISOString(),
    encoding: plan.composed.encoding,
    partsPerMessage: plan.composed.partsPerMessage,
    costUnits,
    skipped: plan.skipped,
    messageIds: ids.length <= MAX_LISTED ? ids : [],
  };
}

/** The send's activity entry (SPEC I9). */
function activityChange(plan: SendPlan, answer: SendAnswer) {
  return {
    targetType: 'SendBatch',
    targetId: plan.batchId,
    after: { accepted: answer.accepted, costUnits: answer.costUnits, status: answer.status, sendAt: answer.sendAt, skipped: plan.skipped.length, ...(plan.content.templateId ? { templateId: plan.content.templateId } : {}) },
  };
}

/** The batch and message rows of a send (insertBatch, sendInOneStatement). */
function batchRows(ctx: MessagingContext, plan: SendPlan, reservation: CreditReservation | null, expected: SendAnswer): [NewBatch, NewMessages] {
  const { chain, composed, sender, settings } = plan;
  return [
    {
      id: plan.batchId,
      accountId: chain.id,
      userId: ctx.access.userId,
      idempotencyKey: plan.idempotencyKey,
      requestHash: plan.requestHash,
      reservationId: reservation?.id ?? null,
      sendAt: plan.sendAt,
      units: composed.units,
      apiKeyId: ctx.principal.kind === 'API_KEY' ? ctx.principal.id : null,
      result: expected,
      rootAccountId: chain.rootId,
      accountPath: chain.path,
    },
    {
      status: plan.scheduled ? 'SCHEDULED' : 'QUEUED',
      senderId: sender?.id ?? null,
      senderValue: sender?.value ?? 'SHARED',
      usageDay: localDate(plan.now, settings.timezone),
      wantsReceipt: settings.deliveryReceipts,
      ids: composed.ids,
      phones: plan.recipients.map((r) => r.phone),
      contactIds: plan.recipients.map((r) => r.contactId),
      bodies: composed.bodies,
      parts: composed.parts,
      encodings: composed.encodings,
    },
  ];
}

/**
 * A send in one statement that commits by itself (sendInOneStatement, issue 19): the batch, its
 * messages, usage change and status events, the SMS counters, the activity entry. Null when the
 * send needs writeBatchInTransaction: short links to write after the messages, an operator (whose
 * entry goes to the operator log too), no message to send, a number that opted out since the
 * recipients were read, or the tree's first activity entry (those refuse the statement first,
 * which then wrote nothing).
 */
async function writeBatchInOneStatement(ctx: MessagingContext, plan: SendPlan, reservation: CreditReservation | null): Promise<SendAnswer | null> {
  const { chain, composed } = plan;
  if (composed.writesAfterInsert || ctx.principal.kind === 'OPERATOR' || composed.ids.length === 0) return null;
  const answer = answerOf(plan, composed.ids, composed.units);
  const limits = smsLimitStatement(chain, plan.settingsPath, plan.now, composed.ids.length, { firstParameter: ONE_STATEMENT_FIRST_FREE_PARAMETER, countWhen: ONE_STATEMENT_COUNT_WHEN });
  const scope = auditScope(ctx, chain);
  const entry = activityAppendPart(scope.schema, activityEntry(scope, plan.action, activityChange(plan, answer)), ONE_STATEMENT_FIRST_FREE_PARAMETER + limits.parameters.length, limits.when);
  const sent = await sendInOneStatement(ctx.dataSource, ...batchRows(ctx, plan, reservation, answer), limits, entry);
  if (!('reason' in sent)) {
    try {
      entry.appended(sent);
    } catch (error) {
      // Committed already (the text hashed around the head was checked before the statement): the
      // send stands, and verifyActivityLog will name the entry.
      ctx.logger.error({ err: error, batchId: plan.batchId }, 'the activity entry of a send differs from entryHash');
    }
    return answer;
  }
  switch (sent.reason) {
    case 'CHAIN_CHANGED':
      throw chainChanged();
    case 'REPLAY':
      throw new ConcurrentReplay();
    case 'OUTSIDE_LIMIT':
      throw await limits.refusal(ctx.dataSource, sent.counted);
    case 'TRANSACTIONAL':
      return null;
  }
}

/**
 * The one transaction of a send, in three statements and the commit (issue 19): first the tree's
 * move lock and chain, the batch, its messages and their usage change (insertBatch; the change goes
 * to the outbox, usage-outbox.ts), then short links and status events where there are any, and last
 * the SMS counters and the activity entry in one statement (smsLimitStatement, recordActivityAfter).
 * The rows every send of a tree shares (SMS counters, the tree's activity chain) are taken in that
 * last statement, so they are held for one round trip and the commit.
 */
function writeBatchInTransaction(ctx: MessagingContext, plan: SendPlan, reservation: CreditReservation | null): Promise<SendAnswer> {
  const { chain, composed, batchId } = plan;
  const answerFor = (ids: string[], costUnits: number) => answerOf(plan, ids, costUnits);
  return inTransaction(ctx.dataSource, async (tx) => {
    const expected = answerFor(composed.ids, composed.units);
    const batch = await insertBatch(tx, ...batchRows(ctx, plan, reservation, expected));
    if (!batch.sameChain) throw chainChanged();
    if (!batch.created) throw new ConcurrentReplay();
    const { inserted } = batch;
    const accepted = inserted.length;
    const acceptedParts = inserted.reduce((sum, r) => sum + r.parts, 0);
    let answer = expected;
    if (accepted !== composed.ids.length) {
      // A number opted out since the recipients were read: the answer says what was really accepted.
      answer = answerFor(
        inserted.map((r) => r.id),
        acceptedParts,
      );
      await completeBatch(tx, batchId, answer, acceptedParts);
    }
    if (batch.subscribed) await publishStatusChanges(tx, inserted.map((r) => ({ id: r.id, account_id: chain.id })), { chains: [chain] });
    await composed.afterInsert(tx, batchId);
    const change = activityChange(plan, answer);
    if (accepted === 0) {
      await recordActivity(tx, auditScope(ctx, chain), plan.action, change);
      return answer;
    }
    // The SMS counters, then the entry (the tree's head locked only once every counter held), one statement.
    const limits = smsLimitStatement(chain, plan.settingsPath, plan.now, accepted);
    const counted = await recordActivityAfter(tx, auditScope(ctx, chain), plan.action, change, limits);
    if (!counted.recorded) throw await limits.refusal(tx, counted.answer);
    return answer;
  });
}

class ConcurrentReplay extends Error {}

const SENDER_FACING_BILLING_CODES = new Set<ErrorCode>(['INSUFFICIENT_CREDIT', 'IDEMPOTENCY_KEY_REUSED', 'ACCOUNT_SUSPENDED', 'ACCOUNT_CLOSED']);

/**
 * The binding limit of an INSUFFICIENT_CREDIT refusal, as the caller may see it: `limitOf` says
 * whether it is the account's own or an ancestor's; an ancestor's id is kept only for callers who
 * can see that ancestor (SPEC H3).
 */
async function visibleLimitDetails(ctx: MessagingContext, chain: AccountChain, extensions: Record<string, unknown>): Promise<Record<string, unknown>> {
  const limitAccountId = extensions.limitAccountId;
  if (typeof limitAccountId !== 'string') return extensions;
  return {
    ...extensions,
    limitOf: limitAccountId === chain.id ? 'ACCOUNT' : 'ANCESTOR',
    limitAccountId: (await ctx.access.canView(limitAccountId)) ? limitAccountId : null,
  };
}

async function previousAnswer(ctx: MessagingContext, accountId: string, idempotencyKey: string, requestHash: string): Promise<SendAnswer | null> {
  const previous = await findBatchByKey<SendAnswer>(ctx.dataSource, accountId, idempotencyKey);
  if (!previous) return null;
  if (previous.request_hash !== requestHash) throw new AppError('IDEMPOTENCY_KEY_REUSED', 'The idempotency key was already used for another send');
  return previous.result;
}

export const MessageService = {
  /** SPEC M1/R2: newest first, filtered; basic users see only their own messages. */
  async list(ctx: MessagingContext, args: QueryMessagesArgs): Promise<MessagePage> {
    await ctx.access.require(args.accountId, 'account.view');
    const authorId = await outboundAuthorScope(ctx, args.accountId);
    const page = pageRequest(args, MESSAGE_PAGE);
    const filter = args.filter ?? {};
    const createdFrom = filter.from ?? null;
    const createdBefore = filter.to ?? null;
    if (createdFrom && createdBefore && createdFrom > createdBefore) throw errors.badInput('filter.to must not be before filter.from', 'filter.to');
    const query: MessageListQuery = {
      accountId: args.accountId,
      authorId,
      userId: filter.userId ? assertId(filter.userId, 'filter.userId') : null,
      statuses: filter.status?.length ? filter.status : null,
      senderId: filter.senderId ? assertId(filter.senderId, 'filter.senderId') : null,
      batchId: filter.batchId ? assertId(filter.batchId, 'filter.batchId') : null,
      createdFrom,
      createdBefore,
    };
    const rows = await messagesPage(ctx.dataSource, query, page);
    return { ...toConnection(rows, page, (row) => [row.sortKey, row.id]), count: () => (query.batchId ? countMessages(ctx.dataSource, query) : Promise.resolve(null)) };
  },

  /** Cancels a SCHEDULED message; its credit goes back when its batch is settled (or at once when nothing of the batch remains). */
  async cancel(ctx: MessagingContext, id: string): Promise<MessageRow> {
    const message = await findMessage(ctx.dataSource, assertId(id));
    if (!message || !(await ctx.access.canView(message.accountId))) throw errors.notFound('Message');
    const chain = await ctx.access.require(message.accountId, 'messages.send');
    if ((await ctx.access.dataScope(message.accountId, 'reports')) !== 'ALL' && message.userId !== ctx.access.userId) throw errors.notFound('Message');
    const { row, releaseReservation } = await mutate(auditScope(ctx, chain), 'cancelMessage', async (tx) => {
      const cancelled = await cancelScheduled(tx, message.id);
      if (!cancelled) throw new AppError('INVALID_STATE', `Only a scheduled message can be cancelled (this one is ${message.status})`);
      await queueUsageChanges(tx, chain.rootId, usageChanges([cancelled], (r) => ({ messages: -1, parts: -(r.parts ?? 0), delivered: 0, failed: 0, costUnits: -(r.cost_units ?? 0) })));
      await publishStatusChanges(tx, [{ id: cancelled.id, account_id: cancelled.accountId }], { previousStatus: 'SCHEDULED', chains: [chain] });
      const reservationId = await releaseCancelledBatch(tx, cancelled.batchId);
      return { result: { row: cancelled, releaseReservation: reservationId }, targetType: 'Message', targetId: message.id, before: { status: message.status }, after: { status: 'CANCELLED' } };
    });
    if (releaseReservation) await ctx.billing.release(releaseReservation).catch((error) => ctx.logger.warn({ err: error }, 'release failed; the billing sweeper expires the hold'));
    return row;
  },
};
