import type { Resolvers } from '../__generated__/resolvers-types';
import { parsePlaceholders } from './placeholders';
import { TemplateService } from './service';

export const resolvers: Resolvers = {
  Query: {
    messageTemplates: (_, args, ctx) => TemplateService.list(ctx, args.accountId, args),
  },
  Mutation: {
    createMessageTemplate: (_, args, ctx) => TemplateService.create(ctx, args.accountId, args.input),
    updateMessageTemplate: (_, args, ctx) => TemplateService.update(ctx, args.id, args.input),
    deleteMessageTemplate: (_, args, ctx) => TemplateService.remove(ctx, args.id),
  },
  MessageTemplate: {
    accountId: async (t, _, ctx) => ((await ctx.access.canView(t.accountId)) ? t.accountId : null),
    inherited: (t) => t.inherited ?? false,
    placeholders: (t) => parsePlaceholders(t.body).map((p) => p.name),
  },
};
