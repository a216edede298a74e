import type { MessagingContext } from '../context';
import { parsePlaceholders } from './placeholders';
import { TemplateService } from './service';
import type { TemplateRow } from './store';

const iso = (value: Date | null | undefined) => (value ? new Date(value).toISOString() : null);

export const resolvers = {
  Query: {
    messageTemplates: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => TemplateService.list(ctx, args.accountId),
  },
  Mutation: {
    createMessageTemplate: (_: unknown, args: { accountId: string; input: { name: string; body: string; sharedDown?: boolean | null } }, ctx: MessagingContext) =>
      TemplateService.create(ctx, args.accountId, args.input),
    updateMessageTemplate: (_: unknown, args: { id: string; input: { name?: string | null; body?: string | null; sharedDown?: boolean | null } }, ctx: MessagingContext) =>
      TemplateService.update(ctx, args.id, args.input),
    deleteMessageTemplate: (_: unknown, args: { id: string }, ctx: MessagingContext) => TemplateService.remove(ctx, args.id),
  },
  MessageTemplate: {
    accountId: async (t: TemplateRow, _: unknown, ctx: MessagingContext) => ((await ctx.access.canView(t.account_id)) ? t.account_id : null),
    inherited: (t: TemplateRow & { inherited?: boolean }) => t.inherited ?? false,
    sharedDown: (t: TemplateRow) => t.shared_down,
    placeholders: (t: TemplateRow) => parsePlaceholders(t.body).map((p) => p.name),
    createdAt: (t: TemplateRow) => iso(t.created_at),
    updatedAt: (t: TemplateRow) => iso(t.updated_at),
  },
};
