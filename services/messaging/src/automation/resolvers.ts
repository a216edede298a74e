import type { Resolvers } from '../__generated__/resolvers-types';
import { AutomationService } from './service';

export const resolvers: Resolvers = {
  Query: {
    automationRules: (_, args, ctx) => AutomationService.list(ctx, args.accountId),
  },
  Mutation: {
    createAutomationRule: (_, args, ctx) => AutomationService.create(ctx, args.accountId, args.input),
    updateAutomationRule: (_, args, ctx) => AutomationService.update(ctx, args.id, args.input),
    deleteAutomationRule: (_, args, ctx) => AutomationService.remove(ctx, args.id),
  },
  AutomationRule: {
    accountId: (r) => r.account_id,
    replyBody: (r) => r.reply_body,
    forwardEmail: (r) => r.forward_email,
    createdAt: (r) => r.created_at,
    updatedAt: (r) => r.updated_at,
    firings: (r, args, ctx) => AutomationService.firings(ctx, r, args.first),
  },
  AutomationFiring: {
    inboundMessageId: (f) => f.inbound_message_id,
    errorCode: (f) => f.error_code,
    messageId: (f) => f.message_id,
    firedAt: (f) => f.fired_at,
  },
};
