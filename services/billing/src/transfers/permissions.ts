import { allow, canOnAccount } from '@platform/authz';
import { onParent } from '../account-rules';

const byTransferSource = canOnAccount('billing', (_parent, args) => args.input?.fromAccountId);

export const permissions = {
  Mutation: { transferBalance: byTransferSource, transferCredit: byTransferSource },
  Account: { transfers: onParent },
  Transfer: allow,
  TransferConnection: allow,
  TransferEdge: allow,
};
