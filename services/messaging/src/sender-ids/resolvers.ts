import type { MessagingContext } from '../context';
import { SenderIdService } from './service';
import type { SenderIdKind, SenderIdRow } from './store';

export const resolvers = {
  Query: {
    senderIds: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => SenderIdService.list(ctx, args.accountId),
  },
  Mutation: {
    requestSenderId: (_: unknown, args: { accountId: string; input: { kind: SenderIdKind; value: string; sharedDown?: boolean | null } }, ctx: MessagingContext) =>
      SenderIdService.request(ctx, args.accountId, args.input),
    verifySenderId: (_: unknown, args: { id: string; code: string }, ctx: MessagingContext) => SenderIdService.verify(ctx, args.id, args.code),
    activateSenderId: (_: unknown, args: { id: string }, ctx: MessagingContext) => SenderIdService.activate(ctx, args.id),
  },
  SenderId: {
    accountId: (s: SenderIdRow) => s.account_id,
    sharedDown: (s: SenderIdRow) => s.shared_down,
    createdAt: (s: SenderIdRow) => new Date(s.created_at).toISOString(),
  },
};
