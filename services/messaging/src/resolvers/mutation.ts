import type { MessagingContext } from '../context';
import { ContactService, GroupService, type ContactInput } from '../services/contacts';
import { InboxService, MessageService, receiveInbound } from '../services/messages';
import { send, type SendInput } from '../services/send';
import { SenderIdService, type SenderIdKind } from '../services/sender-ids';

export const Mutation = {
  createContact: (_: unknown, args: { accountId: string; input: ContactInput }, ctx: MessagingContext) => ContactService.create(ctx, args.accountId, args.input),
  updateContact: (_: unknown, args: { id: string; input: ContactInput }, ctx: MessagingContext) => ContactService.update(ctx, args.id, args.input),
  deleteContact: (_: unknown, args: { id: string }, ctx: MessagingContext) => ContactService.remove(ctx, args.id),
  importContacts: (_: unknown, args: { accountId: string; csv: string; groupId?: string | null; defaultCountry?: string | null }, ctx: MessagingContext) =>
    ContactService.importCsv(ctx, args.accountId, args.csv, args.groupId ?? null, args.defaultCountry ?? null),
  createContactGroup: (_: unknown, args: { accountId: string; name: string; sharedAccess?: 'READ' | 'READ_SEND' | null }, ctx: MessagingContext) =>
    GroupService.create(ctx, args.accountId, args.name, args.sharedAccess ?? null),
  updateContactGroup: (_: unknown, args: { id: string; input: Parameters<typeof GroupService.update>[2] }, ctx: MessagingContext) => GroupService.update(ctx, args.id, args.input),
  deleteContactGroup: (_: unknown, args: { id: string }, ctx: MessagingContext) => GroupService.remove(ctx, args.id),
  requestSenderId: (_: unknown, args: { accountId: string; input: { kind: SenderIdKind; value: string; sharedDown?: boolean | null } }, ctx: MessagingContext) =>
    SenderIdService.request(ctx, args.accountId, args.input),
  verifySenderId: (_: unknown, args: { id: string; code: string }, ctx: MessagingContext) => SenderIdService.verify(ctx, args.id, args.code),
  activateSenderId: (_: unknown, args: { id: string }, ctx: MessagingContext) => SenderIdService.activate(ctx, args.id),
  sendMessage: (_: unknown, args: { input: Omit<SendInput, 'to' | 'contactIds'> & { to?: string | null; contactId?: string | null } }, ctx: MessagingContext) => {
    const { to, contactId, ...rest } = args.input;
    return send(ctx, { ...rest, to: to ? [to] : [], contactIds: contactId ? [contactId] : [] }, 'sendMessage');
  },
  sendBulk: (_: unknown, args: { input: SendInput }, ctx: MessagingContext) => send(ctx, args.input, 'sendBulk'),
  cancelMessage: (_: unknown, args: { id: string }, ctx: MessagingContext) => MessageService.cancel(ctx, args.id),
  replyToConversation: async (_: unknown, args: { conversationId: string; body: string; senderId?: string | null; idempotencyKey?: string | null }, ctx: MessagingContext) => {
    const { conversation, own } = await InboxService.conversationForReply(ctx, args.conversationId);
    return send(ctx, { accountId: conversation.account_id, to: [conversation.phone_number], body: args.body, senderId: args.senderId, idempotencyKey: args.idempotencyKey }, 'replyToConversation', own);
  },
  resubscribeContact: (_: unknown, args: { accountId: string; phoneNumber: string }, ctx: MessagingContext) => InboxService.resubscribe(ctx, args.accountId, args.phoneNumber),
  injectInboundMessage: (_: unknown, args: { accountId: string; from: string; body: string }, ctx: MessagingContext) => receiveInbound(ctx, args.accountId, args.from, args.body),
};
