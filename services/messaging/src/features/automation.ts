import type { EntityManager } from 'typeorm';
import type { AccountChain } from '@platform/authz';
import { AppError, assertId, assertName, errors } from '@platform/errors';
import { queryRows } from '@platform/db';
import { publishEvent } from '@platform/events';
import type { MessagingContext } from '../context';
import { mutate, requireActiveChain, requireSeesNumbers } from '../services/access';
import { send } from '../services/send';
import { emailAddressOf } from './email-to-sms';
import { OutboxMailSender } from '@platform/mail';
import { accountServiceContext } from './service-context';

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
const ACTIONS = ['AUTO_REPLY', 'FORWARD_EMAIL', 'FORWARD_WEBHOOK'] as const;
type Action = (typeof ACTIONS)[number];
const KEYWORD = /^[\p{L}\p{N}]{1,20}$/u;

export interface RuleRow {
  id: string;
  account_id: string;
  name: string;
  keyword: string | null;
  action: Action;
  reply_body: string | null;
  forward_email: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
}
const COLUMNS = 'id, account_id, name, keyword, action, reply_body, forward_email, enabled, created_at, updated_at';

export interface RuleInput {
  name?: string | null;
  keyword?: string | null;
  action?: Action | null;
  replyBody?: string | null;
  forwardEmail?: string | null;
  enabled?: boolean | null;
}

function validate(input: RuleInput, current: RuleRow | null) {
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
  const replyBody = action === 'AUTO_REPLY' ? (input.replyBody ?? current?.reply_body ?? '').trim() : null;
  if (action === 'AUTO_REPLY' && (!replyBody || [...replyBody].length > 1600)) throw errors.badInput('An AUTO_REPLY rule needs a replyBody of 1 to 1600 characters', 'replyBody');
  let forwardEmail: string | null = null;
  if (action === 'FORWARD_EMAIL') {
    forwardEmail = emailAddressOf(input.forwardEmail ?? current?.forward_email ?? '');
    if (!forwardEmail) throw errors.badInput('A FORWARD_EMAIL rule needs a forwardEmail address', 'forwardEmail');
  }
  return { name, action, keyword: keyword ?? null, replyBody, forwardEmail, enabled: input.enabled ?? current?.enabled ?? true };
}

/** A forward carries the sender's number in full: only callers who see the account's numbers configure one (I6). */
async function requireMayForward(ctx: MessagingContext, accountId: string, action: Action): Promise<void> {
  if (action === 'FORWARD_EMAIL' || action === 'FORWARD_WEBHOOK') await requireSeesNumbers(ctx, accountId, `a ${action} rule`);
}

export const AutomationService = {
  async list(ctx: MessagingContext, accountId: string): Promise<RuleRow[]> {
    const chain = await ctx.access.require(accountId, 'automation');
    return queryRows<RuleRow>(ctx.dataSource, `SELECT ${COLUMNS} FROM messaging.automation_rules WHERE account_id = $1 ORDER BY created_at, id`, [chain.id]);
  },

  async create(ctx: MessagingContext, accountId: string, input: RuleInput): Promise<RuleRow> {
    const chain = await ctx.access.require(accountId, 'automation');
    requireActiveChain(chain);
    const rule = validate(input, null);
    await requireMayForward(ctx, chain.id, rule.action);
    return mutate(ctx, chain, 'createAutomationRule', async (tx) => {
      const [row] = await queryRows<RuleRow>(
        tx,
        `INSERT INTO messaging.automation_rules (account_id, name, keyword, action, reply_body, forward_email, enabled, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${COLUMNS}`,
        [chain.id, rule.name, rule.keyword, rule.action, rule.replyBody, rule.forwardEmail, rule.enabled, ctx.principal.id],
      );
      return { result: row, targetType: 'AutomationRule', targetId: row.id, after: { name: rule.name, keyword: rule.keyword, action: rule.action, enabled: rule.enabled } };
    });
  },

  async update(ctx: MessagingContext, id: string, input: RuleInput): Promise<RuleRow> {
    const { chain, rule: current } = await ownRule(ctx, id);
    const rule = validate(input, current);
    await requireMayForward(ctx, chain.id, rule.action);
    return mutate(ctx, chain, 'updateAutomationRule', async (tx) => {
      const [row] = await queryRows<RuleRow>(
        tx,
        `UPDATE messaging.automation_rules SET name = $2, keyword = $3, action = $4, reply_body = $5, forward_email = $6, enabled = $7, updated_at = now()
          WHERE id = $1 RETURNING ${COLUMNS}`,
        [current.id, rule.name, rule.keyword, rule.action, rule.replyBody, rule.forwardEmail, rule.enabled],
      );
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
    return mutate(ctx, chain, 'deleteAutomationRule', async (tx) => {
      await tx.query(`DELETE FROM messaging.automation_rules WHERE id = $1`, [rule.id]);
      return { result: rule.id, targetType: 'AutomationRule', targetId: rule.id, before: { name: rule.name, action: rule.action } };
    });
  },

  async firings(ctx: MessagingContext, rule: RuleRow, first: number) {
    if (first < 1 || first > 200) throw errors.badInput('first must be between 1 and 200', 'first');
    return queryRows<{ inbound_message_id: string; action: string; outcome: string; error_code: string | null; message_id: string | null; fired_at: Date }>(
      ctx.dataSource,
      `SELECT inbound_message_id, action, outcome, error_code, message_id, fired_at FROM messaging.automation_firings WHERE rule_id = $1 ORDER BY fired_at DESC LIMIT $2`,
      [rule.id, first],
    );
  },
};

async function ownRule(ctx: MessagingContext, id: string): Promise<{ chain: AccountChain; rule: RuleRow }> {
  const [rule] = await queryRows<RuleRow>(ctx.dataSource, `SELECT ${COLUMNS} FROM messaging.automation_rules WHERE id = $1`, [assertId(id)]);
  // Rules are listed only to holders of `automation`: without it, a rule does not exist for the caller.
  if (!rule || !(await ctx.access.can(rule.account_id, 'automation'))) throw errors.notFound('Automation rule');
  const chain = await ctx.access.require(rule.account_id, 'automation');
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
export async function evaluateAutomation(tx: EntityManager, ctx: MessagingContext, chain: AccountChain, inbound: InboundFacts): Promise<PendingReply[]> {
  const rules = await queryRows<RuleRow>(tx, `SELECT ${COLUMNS} FROM messaging.automation_rules WHERE account_id = $1 AND enabled ORDER BY created_at, id`, [chain.id]);
  if (rules.length === 0) return [];
  // Another automated sender of this platform (e.g. an account's auto-reply) never triggers a rule.
  const [platformSender] = await queryRows<{ id: string }>(tx, `SELECT id FROM messaging.sender_ids WHERE value = $1 AND status = 'ACTIVE' LIMIT 1`, [inbound.phone]);
  if (platformSender) return [];
  const firstWord = inbound.body.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
  const pending: PendingReply[] = [];
  for (const rule of rules) {
    if (rule.keyword !== null && rule.keyword !== firstWord) continue;
    if (rule.action === 'AUTO_REPLY' && inbound.optOut) continue;
    let outcome: 'PENDING' | 'DONE' | 'RATE_LIMITED' = 'DONE';
    if (rule.action === 'AUTO_REPLY') {
      // One reply per rule and number per interval, decided under a lock on (rule, number).
      await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`automation:${rule.id}:${inbound.phone}`]);
      const [recent] = await queryRows<{ n: number }>(
        tx,
        `SELECT 1 AS n FROM messaging.automation_firings
          WHERE rule_id = $1 AND phone_number = $2 AND outcome IN ('PENDING', 'DONE') AND fired_at > now() - $3::interval LIMIT 1`,
        [rule.id, inbound.phone, AUTO_REPLY_INTERVAL],
      );
      outcome = recent ? 'RATE_LIMITED' : 'PENDING';
    } else if (rule.action === 'FORWARD_EMAIL') {
      await new OutboxMailSender('messaging', ctx.config.internalSigningSecret).send(tx, {
        accountId: chain.id,
        to: rule.forward_email!,
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
    const claimed = await queryRows<{ rule_id: string }>(
      tx,
      `INSERT INTO messaging.automation_firings (rule_id, inbound_message_id, account_id, phone_number, action, outcome) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT DO NOTHING RETURNING rule_id`,
      [rule.id, inbound.inboundId, chain.id, inbound.phone, rule.action, outcome],
    );
    // Already fired for this message: a forward done above would be a second one, so undo everything.
    if (claimed.length === 0) throw new AppError('INVALID_STATE', 'The rule has already fired for this inbound message');
    if (outcome === 'PENDING') pending.push({ ruleId: rule.id, inboundId: inbound.inboundId, phone: inbound.phone, body: rule.reply_body! });
  }
  return pending;
}

/** After the inbound commit: each claimed auto-reply through the send service, as the account. */
export async function sendAutoReplies(ctx: MessagingContext, chain: AccountChain, pending: PendingReply[]): Promise<void> {
  if (pending.length === 0) return;
  const service = accountServiceContext(ctx.dataSource, ctx.config, ctx.logger, chain, 'automation');
  for (const reply of pending) {
    try {
      const result = await send(service, { accountId: chain.id, to: [reply.phone], body: reply.body, idempotencyKey: `auto:${reply.ruleId}:${reply.inboundId}` }, 'automationReply');
      await ctx.dataSource.query(`UPDATE messaging.automation_firings SET outcome = 'DONE', message_id = $3 WHERE rule_id = $1 AND inbound_message_id = $2`, [
        reply.ruleId,
        reply.inboundId,
        result.messageIds[0] ?? null,
      ]);
    } catch (error) {
      const code = error instanceof AppError ? error.code : 'INTERNAL_SERVER_ERROR';
      if (!(error instanceof AppError)) ctx.logger.error({ err: error, ruleId: reply.ruleId }, 'auto-reply failed');
      await ctx.dataSource.query(`UPDATE messaging.automation_firings SET outcome = 'FAILED', error_code = $3 WHERE rule_id = $1 AND inbound_message_id = $2`, [reply.ruleId, reply.inboundId, code]);
    }
  }
}
