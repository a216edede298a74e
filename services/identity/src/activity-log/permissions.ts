import { allow, canOnAccount, isOperatorWith } from '@platform/authz';

export const permissions = {
  Query: {
    activityLog: canOnAccount('security', (_parent, args) => args.accountId),
    operatorLog: isOperatorWith('customers.read'),
    verifyActivityLog: canOnAccount('security', (_parent, args) => args.accountId),
  },
  ActivityLogEntry: allow,
  ActivityLogPage: allow,
  ActivityLogEdge: allow,
  ActivityLogProblem: allow,
  ActivityLogVerification: allow,
};
