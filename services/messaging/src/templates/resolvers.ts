import type { Resolvers } from '../__generated__/resolvers-types';
import { parsePlaceholders } from './placeholders';
import { TemplateService } from './service';

export const resolvers: Resolvers = {
  Query: {
    messageTemplates: (_, args, ctx) => TemplateService.list(ctx, args.accountId),
  },
  Mutation: {
    createMessageTemplate: (_, args, ctx) => TemplateService.create(ctx, args.accountId, args.input),
    updateMessageTemplate: (_, args, ctx) => TemplateService.update(ctx, args.id, args.input),
    deleteMessageTemplate: (_, args, ctx) => TemplateService.remove(ctx, args.id),
  },
  MessageTemplate: {
    accountId: async (t, _, ctx) => ((await ctx.access.canView(t.account_id)) ? t.account_id : null),
    inherited: (t) => t.inherited ?? false,
    sharedDown: (t) => t.shared_down,
    placeholders: (t) => parsePlaceholders(t.body).map((p) => p.name),
    createdAt: (t) => t.created_at,
    updatedAt: (t) => t.updated_at,
  },
};
