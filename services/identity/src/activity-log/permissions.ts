import { allow, canOnAccount } from '@platform/authz';

export const permissions = {
  Query: {
    activityLog: canOnAccount('security', (_parent, args) => args.accountId),
    verifyActivityLog: canOnAccount('security', (_parent, args) => args.accountId),
  },
  ActivityLogEntry: allow,
  ActivityLogPage: allow,
  ActivityLogProblem: allow,
  ActivityLogVerification: allow,
};
