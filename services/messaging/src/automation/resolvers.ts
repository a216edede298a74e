import type { MessagingContext } from '../context';
import { AutomationService, type RuleInput } from './service';
import type { FiringRow, RuleRow } from './store';

const iso = (value: Date | null | undefined) => (value ? new Date(value).toISOString() : null);

export const resolvers = {
  Query: {
    automationRules: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => AutomationService.list(ctx, args.accountId),
  },
  Mutation: {
    createAutomationRule: (_: unknown, args: { accountId: string; input: RuleInput }, ctx: MessagingContext) => AutomationService.create(ctx, args.accountId, args.input),
    updateAutomationRule: (_: unknown, args: { id: string; input: RuleInput }, ctx: MessagingContext) => AutomationService.update(ctx, args.id, args.input),
    deleteAutomationRule: (_: unknown, args: { id: string }, ctx: MessagingContext) => AutomationService.remove(ctx, args.id),
  },
  AutomationRule: {
    accountId: (r: RuleRow) => r.account_id,
    replyBody: (r: RuleRow) => r.reply_body,
    forwardEmail: (r: RuleRow) => r.forward_email,
    createdAt: (r: RuleRow) => iso(r.created_at),
    updatedAt: (r: RuleRow) => iso(r.updated_at),
    firings: (r: RuleRow, args: { first: number }, ctx: MessagingContext) => AutomationService.firings(ctx, r, args.first),
  },
  AutomationFiring: {
    inboundMessageId: (f: FiringRow) => f.inbound_message_id,
    errorCode: (f: FiringRow) => f.error_code,
    messageId: (f: FiringRow) => f.message_id,
    firedAt: (f: FiringRow) => iso(f.fired_at),
  },
};
