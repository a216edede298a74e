import type { AccountChain } from '@platform/authz';
import { pageRequest, toConnection, type PageArguments, type Sql } from '@platform/db';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { publishEvent } from '@platform/events';
import { OutboxMailSender } from '@platform/mail';
import { mutate } from '@platform/audit';
import { accountServiceContext, type MessagingContext } from '../context';
import { auditScope, requireActiveChain, requireSeesNumbers } from '../access/access';
import { nestedPageLoader } from '../nested-pages';
import { emailAddressOf } from '../email-to-sms/service';
import { isActiveSenderValue } from '../sender-ids/store';
import { send } from '../sending/service';
import {
  claimFiring,
  completeFiring,
  deleteRule,
  findRule,
  firingPages,
  insertRule,
  repliedRecently,
  rulesOfAccount,
  rulesPage,
  updateRule,
  type RuleRow,
  type RuleValues,
} from './store';
import type { AutomationAction, AutomationOutcome, AutomationRuleInput, AutomationRuleUpdate } from '../__generated__/resolvers-types';

/**
 * Automation rules (SPEC M11), evaluated for every inbound message of the account (hook in
 * receiveInbound): a rule matches every message, or those whose first word is its keyword
 * (case-insensitive), and then
 *   - AUTO_REPLY: sends its reply to the number, through the send service as the account (every
 *     M2 check; opted-out numbers are skipped), after the inbound transaction commits;
 *   - FORWARD_EMAIL: queues a mail in messaging.mail_outbox, in the inbound transaction;
 *   - FORWARD_WEBHOOK: publishes `automation.forwarded` (shared/events) in the inbound transaction,
 *     which the account's webhook endpoints subscribed to that type receive.
 * Loops are impossible: rules only ever see inbound messages (auto-replies are outbound and never
 * pass through the inbound path); a rule fires at most once per inbound message (primary key of
 * automation_firings, and the reply's idempotency key); an inbound message from a number that is an
 * active sender ID of the platform (another account's automation answering) triggers no rule; and a
 * rule auto-replies to one number at most once per hour (AUTO_REPLY_INTERVAL), whatever it receives.
 */
export const AUTO_REPLY_INTERVAL = '1 hour';
const ACTIONS: readonly AutomationAction[] = ['AUTO_REPLY', 'FORWARD_EMAIL', 'FORWARD_WEBHOOK'];
const KEYWORD = /^[\p{L}\p{N}]{1,20}$/u;

export type RuleInput = AutomationRuleInput | AutomationRuleUpdate;

function validate(input: RuleInput, current: RuleRow | null): RuleValues {
  const name = input.name != null ? assertName(input.name) : current?.name;
  if (!name) throw errors.badInput('name is required', 'name');
  const action = input.action ?? current?.action;
  if (!action || !ACTIONS.includes(action)) throw errors.badInput(`action must be one of ${ACTIONS.join(', ')}`, 'action');
  let keyword = input.keyword !== undefined ? input.keyword : current?.keyword ?? null;
  if (keyword != null) {
    keyword = keyword.trim().toUpperCase();
    if (keyword === '') keyword = null;
    else if (!KEYWORD.test(keyword)) throw errors.badInput('keyword is one word of 1 to 20 letters or digits', 'keyword');
  }
  const replyBody = action === 'AUTO_REPLY' ? (input.replyBody ?? current?.replyBody ?? '').trim() : null;
  if (action === 'AUTO_REPLY' && (!replyBody || [...replyBody].length > 1600)) throw errors.badInput('An AUTO_REPLY rule needs a replyBody of 1 to 1600 characters', 'replyBody');
  let forwardEmail: string | null = null;
  if (action === 'FORWARD_EMAIL') {
    forwardEmail = emailAddressOf(input.forwardEmail ?? current?.forwardEmail ?? '');
    if (!forwardEmail) throw errors.badInput('A FORWARD_EMAIL rule needs a forwardEmail address', 'forwardEmail');
  }
  return { name, action, keyword: keyword ?? null, replyBody, forwardEmail, enabled: input.enabled ?? current?.enabled ?? true };
}

/** A forward carries the sender's number in full: only callers who see the account's numbers configure one (I6). */
async function requireMayForward(ctx: MessagingContext, accountId: string, action: AutomationAction): Promise<void> {
  if (action === 'FORWARD_EMAIL' || action === 'FORWARD_WEBHOOK') await requireSeesNumbers(ctx, accountId, `a ${action} rule`);
}

export const AutomationService = {
  async list(ctx: MessagingContext, accountId: string, args: PageArguments) {
    const chain = await ctx.access.require(accountId, 'automation');
    const page = pageRequest(args, { defaultSize: 50, maxSize: 200, keyShape: ['string', 'string'] });
    const rows = await rulesPage(ctx.dataSource, chain.id, page);
    return toConnection(rows, page, (row) => [row.createdAtKey, row.id]);
  },

  async create(ctx: MessagingContext, accountId: string, input: RuleInput): Promise<RuleRow> {
    const chain = await ctx.access.require(accountId, 'automation');
    requireActiveChain(chain);
    const rule = validate(input, null);
    await requireMayForward(ctx, chain.id, rule.action);
    return mutate(auditScope(ctx, chain), 'createAutomationRule', async (tx) => {
      const row = await insertRule(tx, chain.id, rule, ctx.principal.id);
      return { result: row, targetType: 'AutomationRule', targetId: row.id, after: { name: rule.name, keyword: rule.keyword, action: rule.action, enabled: rule.enabled } };
    });
  },

  async update(ctx: MessagingContext, id: string, input: RuleInput): Promise<RuleRow> {
    const { chain, rule: current } = await ownRule(ctx, id);
    const rule = validate(input, current);
    await requireMayForward(ctx, chain.id, rule.action);
    return mutate(auditScope(ctx, chain), 'updateAutomationRule', async (tx) => {
      const row = await updateRule(tx, current.id, rule);
      return {
        result: row,
        targetType: 'AutomationRule',
        targetId: row.id,
        before: { name: current.name, keyword: current.keyword, action: current.action, enabled: current.enabled },
        after: { name: row.name, keyword: row.keyword, action: row.action, enabled: row.enabled },
      };
    });
  },

  async remove(ctx: MessagingContext, id: string): Promise<string> {
    const { chain, rule } = await ownRule(ctx, id);
    return mutate(auditScope(ctx, chain), 'deleteAutomationRule', async (tx) => {
      await deleteRule(tx, rule.id);
      return { result: rule.id, targetType: 'AutomationRule', targetId: rule.id, before: { name: rule.name, action: rule.action } };
    });
  },

  /** A page of the rule's firings; the rules of one request asking for the same page are read in one statement. */
  async firings(ctx: MessagingContext, rule: RuleRow, args: PageArguments) {
    const page = pageRequest(args, { defaultSize: 20, maxSize: 200, keyShape: ['string', 'string'] });
    const loader = nestedPageLoader(ctx, ['automationRule.firings'], page, (r: RuleRow) => r.id, (rules) => firingPages(ctx.dataSource, rules.map((r) => r.id), page));
    return toConnection(await loader.load(rule), page, (row) => [row.firedAtKey, row.inboundMessageId]);
  },
};

async function ownRule(ctx: MessagingContext, id: string): Promise<{ chain: AccountChain; rule: RuleRow }> {
  const rule = await findRule(ctx.dataSource, assertId(id));
  // Rules are listed only to holders of `automation`: without it, a rule does not exist for the caller.
  if (!rule || !(await ctx.access.can(rule.accountId, 'automation'))) throw errors.notFound('Automation rule');
  const chain = await ctx.access.require(rule.accountId, 'automation');
  return { chain, rule };
}

export interface InboundFacts {
  inboundId: string;
  conversationId: string;
  phone: string;
  body: string;
  optOut: boolean;
}

export interface PendingReply {
  ruleId: string;
  inboundId: string;
  phone: string;
  body: string;
}

/**
 * In the inbound message's transaction: claims one firing per matching rule, performs the forwards
 * and returns the auto-replies to send once the transaction has committed (sendAutoReplies).
 */
export async function evaluateAutomation(tx: Sql, ctx: MessagingContext, chain: AccountChain, inbound: InboundFacts): Promise<PendingReply[]> {
  const rules = await rulesOfAccount(tx, chain.id, true);
  if (rules.length === 0) return [];
  // Another automated sender of this platform (e.g. an account's auto-reply) never triggers a rule.
  if (await isActiveSenderValue(tx, inbound.phone)) return [];
  const firstWord = inbound.body.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  const pending: PendingReply[] = [];
  for (const rule of rules) {
    if (rule.keyword !== null && rule.keyword !== firstWord) continue;
    if (rule.action === 'AUTO_REPLY' && inbound.optOut) continue;
    const outcome = await fire(tx, ctx, chain, rule, inbound);
    const claimed = await claimFiring(tx, { ruleId: rule.id, inboundId: inbound.inboundId, accountId: chain.id, phone: inbound.phone, action: rule.action, outcome });
    // Already fired for this message: a forward done above would be a second one, so undo everything.
    if (!claimed) throw new AppError('INVALID_STATE', 'The rule has already fired for this inbound message');
    if (outcome === 'PENDING') pending.push({ ruleId: rule.id, inboundId: inbound.inboundId, phone: inbound.phone, body: rule.replyBody! });
  }
  return pending;
}

/** The rule's action on the inbound message: a forward is done here, an auto-reply is PENDING (or RATE_LIMITED) until sendAutoReplies. */
async function fire(tx: Sql, ctx: MessagingContext, chain: AccountChain, rule: RuleRow, inbound: InboundFacts): Promise<AutomationOutcome> {
  if (rule.action === 'AUTO_REPLY') {
    // One reply per rule and number per interval, decided under a lock on (rule, number).
    return (await repliedRecently(tx, rule.id, inbound.phone, AUTO_REPLY_INTERVAL)) ? 'RATE_LIMITED' : 'PENDING';
  }
  if (rule.action === 'FORWARD_EMAIL') {
    await new OutboxMailSender('messaging', ctx.config.internalSigningSecret).send(tx, {
      accountId: chain.id,
      to: rule.forwardEmail!,
      subject: `SMS from ${inbound.phone}`,
      template: 'automation-forward',
      text: `From: ${inbound.phone}\nRule: ${rule.name}\n\n${inbound.body}\n`,
    });
  } else {
    await publishEvent(tx, 'messaging', {
      type: 'automation.forwarded',
      accountId: chain.id,
      accountPath: chain.path,
      data: { ruleId: rule.id, ruleName: rule.name, inboundMessageId: inbound.inboundId, conversationId: inbound.conversationId, from: inbound.phone, body: inbound.body },
    });
  }
  return 'DONE';
}

/** After the inbound commit: each claimed auto-reply through the send service, as the account. */
export async function sendAutoReplies(ctx: MessagingContext, chain: AccountChain, pending: PendingReply[]): Promise<void> {
  if (pending.length === 0) return;
  const service = accountServiceContext(ctx.dataSource, ctx.config, ctx.logger, chain, 'automation');
  for (const reply of pending) {
    try {
      const result = await send(service, { accountId: chain.id, to: [reply.phone], body: reply.body, idempotencyKey: `auto:${reply.ruleId}:${reply.inboundId}` }, 'automationReply');
      await completeFiring(ctx.dataSource, reply.ruleId, reply.inboundId, { outcome: 'DONE', messageId: result.messageIds[0] ?? null });
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR';
      if (!(error instanceof AppError)) ctx.logger.error({ err: error, ruleId: reply.ruleId }, 'auto-reply failed');
      await completeFiring(ctx.dataSource, reply.ruleId, reply.inboundId, { outcome: 'FAILED', errorCode: code });
    }
  }
}
