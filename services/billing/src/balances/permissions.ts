import { allow } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

export const permissions = {
  Mutation: { setBillingMode: byArgAccount, enableOwnBalance: byArgAccount, setLowBalanceThreshold: byArgAccount },
  Account: { id: allow, balance: onParent, billing: onParent },
  AccountBilling: allow,
};
