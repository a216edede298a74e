import type { HierarchyContext } from '../context';
import { AccountService } from '../account-service';

export const Mutation = {
  createSubAccount: (_root: unknown, args: { input: { parentId: string; name: string } }, ctx: HierarchyContext) =>
    new AccountService(ctx).createSubAccount(args.input),
  moveAccount: (_root: unknown, args: { id: string; newParentId: string }, ctx: HierarchyContext) =>
    new AccountService(ctx).moveAccount(args.id, args.newParentId),
  updateAccountSettings: (_root: unknown, args: { id: string; input: Record<string, unknown> }, ctx: HierarchyContext) =>
    new AccountService(ctx).updateSettings(args.id, args.input),
  closeAccount: (_root: unknown, args: { id: string; cascade?: boolean | null }, ctx: HierarchyContext) =>
    new AccountService(ctx).closeAccount(args.id, args.cascade ?? false),
  suspendAccount: (_root: unknown, args: { id: string }, ctx: HierarchyContext) => new AccountService(ctx).setSuspended(args.id, true),
  resumeAccount: (_root: unknown, args: { id: string }, ctx: HierarchyContext) => new AccountService(ctx).setSuspended(args.id, false),
};
