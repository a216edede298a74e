import type { MessagingContext } from '../context';
import { EmailToSmsService } from './service';
import type { SenderRow } from './store';

const iso = (value: Date | null | undefined) => (value ? new Date(value).toISOString() : null);

export const resolvers = {
  Query: {
    emailToSms: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => EmailToSmsService.config(ctx, args.accountId),
  },
  Mutation: {
    registerEmailToSmsSender: (_: unknown, args: { accountId: string; email: string }, ctx: MessagingContext) => EmailToSmsService.registerSender(ctx, args.accountId, args.email),
    removeEmailToSmsSender: (_: unknown, args: { id: string }, ctx: MessagingContext) => EmailToSmsService.removeSender(ctx, args.id),
    rotateEmailToSmsSecret: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => EmailToSmsService.rotateSecret(ctx, args.accountId),
  },
  EmailToSmsSender: {
    accountId: (s: SenderRow) => s.account_id,
    createdAt: (s: SenderRow) => iso(s.created_at),
  },
};
