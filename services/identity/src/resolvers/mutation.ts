import type { Role } from '@platform/authz';
import type { IdentityContext } from '../context';
import { MembershipService } from '../membership-service';
import { SessionService } from '../session-service';

export const Mutation = {
  login: (_root: unknown, args: { email: string; password: string; accountId?: string | null }, ctx: IdentityContext) =>
    new SessionService(ctx).login(args.email, args.password, args.accountId),
  switchAccount: (_root: unknown, args: { accountId: string }, ctx: IdentityContext) => new SessionService(ctx).switchAccount(args.accountId),
  logout: (_root: unknown, _args: unknown, ctx: IdentityContext) => new SessionService(ctx).logout(),
  addAccountMember: (_root: unknown, args: { accountId: string; email: string; role: Role }, ctx: IdentityContext) =>
    new MembershipService(ctx).addMember(args.accountId, args.email, args.role),
  removeAccountMember: (_root: unknown, args: { accountId: string; userId: string }, ctx: IdentityContext) =>
    new MembershipService(ctx).removeMember(args.accountId, args.userId),
};
