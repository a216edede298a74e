import { allow, canViewParentAccount } from '@platform/authz';

export const permissions = {
  Account: { id: allow, messageCount: canViewParentAccount },
};
