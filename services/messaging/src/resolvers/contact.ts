import type { MessagingContext } from '../context';
import { numberPolicy } from '../services/access';
import type { ContactRow, GroupRow } from '../services/contacts';

const iso = (value: Date) => new Date(value).toISOString();

export const Contact = {
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
};

export const ContactGroup = {
  accountId: (g: GroupRow) => g.account_id,
  sharedAccess: (g: GroupRow) => g.shared_access,
  contactCount: (g: GroupRow, _: unknown, ctx: MessagingContext) => ctx.loaders.contactCountByGroupId.load(g.id),
  createdAt: (g: GroupRow) => iso(g.created_at),
};
