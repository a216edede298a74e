import { isUuid } from '@platform/errors';
import type { IdentityContext } from '../context';
import type { UserRow } from '../repositories/identity-repository';

const accountReference = (id: string | null) => (id ? { __typename: 'Account', id } : null);

export const Viewer = {
  activeAccount: async (_viewer: { user: UserRow }, _args: unknown, ctx: IdentityContext) => {
    const id = ctx.principal.actingAccountId;
    return id && (await ctx.access.canView(id)) ? accountReference(id) : null;
  },
  memberships: (viewer: { user: UserRow }, _args: unknown, ctx: IdentityContext) => ctx.identity.findAccessList(viewer.user.id),
  permissionsOn: async (_viewer: unknown, args: { accountId: string }, ctx: IdentityContext) =>
    isUuid(args.accountId) ? [...(await ctx.access.permissionsOn(args.accountId.toLowerCase()))].sort() : [],
};

export const AuthPayload = {
  activeAccount: (payload: { activeAccountId: string | null }) => accountReference(payload.activeAccountId),
};
