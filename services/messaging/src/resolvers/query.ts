import type { MessagingContext } from '../context';
import { ContactService, GroupService } from '../services/contacts';
import { InboxService, MessageService, type MessageFilter } from '../services/messages';
import { SenderIdService } from '../services/sender-ids';

type Page = { first: number; after?: string | null };

export const Query = {
  contacts: (_: unknown, args: Page & { accountId: string; groupId?: string | null }, ctx: MessagingContext) =>
    ContactService.list(ctx, args.accountId, args.groupId ?? null, args.first, args.after ?? null),
  contactGroups: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => GroupService.list(ctx, args.accountId),
  senderIds: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => SenderIdService.list(ctx, args.accountId),
  messages: (_: unknown, args: Page & { accountId: string; filter?: MessageFilter | null }, ctx: MessagingContext) =>
    MessageService.list(ctx, args.accountId, args.filter ?? null, args.first, args.after ?? null),
  inbox: (_: unknown, args: Page & { accountId: string }, ctx: MessagingContext) => InboxService.list(ctx, args.accountId, args.first, args.after ?? null),
};
