import type { Resolvers } from '../__generated__/resolvers-types';
import { EmailToSmsService } from './service';

export const resolvers: Resolvers = {
  Query: {
    emailToSms: (_, args, ctx) => EmailToSmsService.config(ctx, args.accountId),
  },
  Mutation: {
    registerEmailToSmsSender: (_, args, ctx) => EmailToSmsService.registerSender(ctx, args.accountId, args.email),
    removeEmailToSmsSender: (_, args, ctx) => EmailToSmsService.removeSender(ctx, args.id),
    rotateEmailToSmsSecret: (_, args, ctx) => EmailToSmsService.rotateSecret(ctx, args.accountId),
  },
};
