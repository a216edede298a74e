import { allow, canOnAccount, canViewParentAccount, isAuthenticated } from '@platform/authz';

const byArgId = (_parent: unknown, args: { id: string }) => args.id;

/**
 * Mirrors the schema. Mutations are first checked here; checks that depend on the stored
 * tree (the parent of a moved or closed account) are made by AccountService with the same module.
 */
export const permissions = {
  Query: {
    account: isAuthenticated,
    accountTree: isAuthenticated,
    accounts: isAuthenticated,
  },
  Mutation: {
    createSubAccount: canOnAccount('sub-accounts', (_parent, args) => args.input.parentId),
    moveAccount: canOnAccount('account.view', byArgId),
    closeAccount: canOnAccount('account.view', byArgId),
    suspendAccount: canOnAccount('account.view', byArgId),
    resumeAccount: canOnAccount('account.view', byArgId),
  },
  Account: canViewParentAccount,
  // Pages of accounts: each node is checked by the Account rule above.
  AccountConnection: allow,
  AccountEdge: allow,
};
