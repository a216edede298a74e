import type { Resolvers } from '../__generated__/resolvers-types';
import { AutomationService } from './service';

export const resolvers: Resolvers = {
  Query: {
    automationRules: (_, args, ctx) => AutomationService.list(ctx, args.accountId, args),
  },
  Mutation: {
    createAutomationRule: (_, args, ctx) => AutomationService.create(ctx, args.accountId, args.input),
    updateAutomationRule: (_, args, ctx) => AutomationService.update(ctx, args.id, args.input),
    deleteAutomationRule: (_, args, ctx) => AutomationService.remove(ctx, args.id),
  },
  AutomationRule: {
    firings: (r, args, ctx) => AutomationService.firings(ctx, r, args),
  },
};
