import { allow, isSelfOrCanOnAccount, isService } from '@platform/authz';
import { byArgAccount, onParent } from '../account-rules';

export const permissions = {
  Mutation: {
    setCreditLimit: byArgAccount,
    setUserCreditLimit: byArgAccount,
    reserveCredit: isService,
    captureCredit: isService,
    captureCredits: isService,
    releaseCredit: isService,
  },
  Account: { userCredits: onParent, ledger: onParent },
  Membership: {
    accountId: allow,
    userId: allow,
    credit: isSelfOrCanOnAccount('billing', (membership) => membership.accountId, (membership) => membership.userId),
  },
  CreditLimit: allow,
  UserCredit: allow,
  LedgerEntry: allow,
  User: allow,
  LedgerConnection: allow,
  LedgerEdge: allow,
  UserCreditConnection: allow,
  UserCreditEdge: allow,
  CreditReservation: isService,
  CreditCaptureOutcome: isService,
};
