import { DateScalar, DateTimeScalar } from '@platform/server';
import type { Resolvers } from '../__generated__/resolvers-types';
import { numberPolicy } from '../access/access';
import { ContactService, GroupService, OptOutService } from './service';

export const resolvers: Resolvers = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    contacts: (_, args, ctx) => ContactService.list(ctx, args),
    contactGroups: (_, args, ctx) => GroupService.list(ctx, args.accountId, args),
  },
  Mutation: {
    createContact: (_, args, ctx) => ContactService.create(ctx, args.accountId, args.input),
    updateContact: (_, args, ctx) => ContactService.update(ctx, args.id, args.input),
    deleteContact: (_, args, ctx) => ContactService.remove(ctx, args.id),
    importContacts: (_, args, ctx) => ContactService.importCsv(ctx, args.accountId, args.csv, args.groupId ?? null, args.defaultCountry ?? null),
    createContactGroup: (_, args, ctx) => GroupService.create(ctx, args.accountId, args.name, args.sharedAccess ?? null),
    updateContactGroup: (_, args, ctx) => GroupService.update(ctx, args.id, args.input),
    deleteContactGroup: (_, args, ctx) => GroupService.remove(ctx, args.id),
    resubscribeContact: (_, args, ctx) => OptOutService.resubscribe(ctx, args.accountId, args.phoneNumber),
  },
  Contact: {
    phoneNumber: async (c, _, ctx) => (await numberPolicy(ctx, c.accountId)).showContact(c.phoneNumber, await ctx.loaders.groupIdsByContactId.load(c.id)),
    groupIds: (c, _, ctx) => ctx.loaders.groupIdsByContactId.load(c.id),
    editable: async (c, _, ctx) => (await numberPolicy(ctx, c.accountId)).canEditContact(await ctx.loaders.groupIdsByContactId.load(c.id)),
  },
  ContactConnection: {
    totalCount: (connection) => connection.count(),
  },
  ContactGroupConnection: {
    totalCount: (connection) => connection.count(),
  },
  ContactGroup: {
    contactCount: (g, _, ctx) => ctx.loaders.contactCountByGroupId.load(g.id),
  },
};
