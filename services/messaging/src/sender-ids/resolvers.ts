import type { Resolvers } from '../__generated__/resolvers-types';
import { SenderIdService } from './service';

export const resolvers: Resolvers = {
  Query: {
    senderIds: (_, args, ctx) => SenderIdService.list(ctx, args.accountId, args),
    pendingSenderIds: (_, args, ctx) => SenderIdService.pending(ctx, args),
  },
  Mutation: {
    requestSenderId: (_, args, ctx) => SenderIdService.request(ctx, args.accountId, args.input),
    verifySenderId: (_, args, ctx) => SenderIdService.verify(ctx, args.id, args.code),
    activateSenderId: (_, args, ctx) => SenderIdService.review(ctx, args.id, { decision: 'ACTIVE' }),
    rejectSenderId: (_, args, ctx) => SenderIdService.review(ctx, args.id, { decision: 'REJECTED', reason: args.reason }),
  },
};
