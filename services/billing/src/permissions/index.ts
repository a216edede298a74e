import { allow, canOnAccount } from '@platform/authz';

export const permissions = {
  Account: { id: allow, balance: canOnAccount('billing', (parent) => parent.id) },
};
