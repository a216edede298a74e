import type { MessagingContext } from '../context';
import { numberPolicy } from '../access/access';
import { ContactService, GroupService, OptOutService, type ContactInput } from './service';
import type { ContactRow, GroupRow, GroupShareAccess } from './store';

const iso = (value: Date) => new Date(value).toISOString();

export const resolvers = {
  Query: {
    contacts: (_: unknown, args: { accountId: string; groupId?: string | null; first: number; after?: string | null }, ctx: MessagingContext) =>
      ContactService.list(ctx, args.accountId, args.groupId ?? null, args.first, args.after ?? null),
    contactGroups: (_: unknown, args: { accountId: string }, ctx: MessagingContext) => GroupService.list(ctx, args.accountId),
  },
  Mutation: {
    createContact: (_: unknown, args: { accountId: string; input: ContactInput }, ctx: MessagingContext) => ContactService.create(ctx, args.accountId, args.input),
    updateContact: (_: unknown, args: { id: string; input: ContactInput }, ctx: MessagingContext) => ContactService.update(ctx, args.id, args.input),
    deleteContact: (_: unknown, args: { id: string }, ctx: MessagingContext) => ContactService.remove(ctx, args.id),
    importContacts: (_: unknown, args: { accountId: string; csv: string; groupId?: string | null; defaultCountry?: string | null }, ctx: MessagingContext) =>
      ContactService.importCsv(ctx, args.accountId, args.csv, args.groupId ?? null, args.defaultCountry ?? null),
    createContactGroup: (_: unknown, args: { accountId: string; name: string; sharedAccess?: GroupShareAccess | null }, ctx: MessagingContext) =>
      GroupService.create(ctx, args.accountId, args.name, args.sharedAccess ?? null),
    updateContactGroup: (_: unknown, args: { id: string; input: Parameters<typeof GroupService.update>[2] }, ctx: MessagingContext) => GroupService.update(ctx, args.id, args.input),
    deleteContactGroup: (_: unknown, args: { id: string }, ctx: MessagingContext) => GroupService.remove(ctx, args.id),
    resubscribeContact: (_: unknown, args: { accountId: string; phoneNumber: string }, ctx: MessagingContext) => OptOutService.resubscribe(ctx, args.accountId, args.phoneNumber),
  },
  Contact: {
    accountId: (c: ContactRow) => c.account_id,
    phoneNumber: async (c: ContactRow, _: unknown, ctx: MessagingContext) =>
      (await numberPolicy(ctx, c.account_id)).showContact(c.phone_number, await ctx.loaders.groupIdsByContactId.load(c.id)),
    firstName: (c: ContactRow) => c.first_name,
    lastName: (c: ContactRow) => c.last_name,
    optedOut: (c: ContactRow) => c.opted_out,
    groupIds: (c: ContactRow, _: unknown, ctx: MessagingContext) => ctx.loaders.groupIdsByContactId.load(c.id),
    editable: async (c: ContactRow, _: unknown, ctx: MessagingContext) =>
      (await numberPolicy(ctx, c.account_id)).canEditContact(await ctx.loaders.groupIdsByContactId.load(c.id)),
    createdAt: (c: ContactRow) => iso(c.created_at),
  },
  ContactGroup: {
    accountId: (g: GroupRow) => g.account_id,
    sharedAccess: (g: GroupRow) => g.shared_access,
    contactCount: (g: GroupRow, _: unknown, ctx: MessagingContext) => ctx.loaders.contactCountByGroupId.load(g.id),
    createdAt: (g: GroupRow) => iso(g.created_at),
  },
};
