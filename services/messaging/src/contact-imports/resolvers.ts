import type { Resolvers } from '../__generated__/resolvers-types';
import { ContactImportService } from './service';

export const contactImportResolvers: Resolvers = {
  Query: {
    importJob: (_, args, ctx) => ContactImportService.find(ctx, args.id),
  },
  Mutation: {
    startContactImport: (_, args, ctx) => ContactImportService.start(ctx, args.accountId, args.groupId ?? null, args.defaultCountry ?? null),
  },
};
