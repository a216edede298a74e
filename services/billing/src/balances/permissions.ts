import { allow, isOperatorWith } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

export const permissions = {
  Mutation: {
    // SPEC O3: credit terms are the operator's; customers read them on Account.billing.
    setBillingMode: isOperatorWith('finance'),
    adjustCredit: isOperatorWith('finance'),
    enableOwnBalance: byArgAccount,
    setLowBalanceThreshold: byArgAccount,
  },
  Account: { id: allow, balance: onParent, billing: onParent },
  AccountBilling: allow,
  // Page information of every list (the lists' own fields are guarded).
  PageInfo: allow,
};
