import { allow, canOnAccount } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

const byInputAccount = canOnAccount('billing', (_parent, args) => args.input?.accountId);

export const permissions = {
  Mutation: { topUp: byInputAccount, setAutoTopUp: byArgAccount },
  Account: { topUps: onParent },
  AutoTopUp: allow,
  TopUp: allow,
  TopUpConnection: allow,
  TopUpEdge: allow,
};
