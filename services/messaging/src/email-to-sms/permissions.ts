import { allow, isAuthenticated } from '@platform/authz';

/** Root fields need a credential; the service requires email-to-sms on the account (NOT_FOUND when invisible). */
export const permissions = {
  Query: { emailToSms: isAuthenticated },
  Mutation: { registerEmailToSmsSender: isAuthenticated, removeEmailToSmsSender: isAuthenticated, rotateEmailToSmsSecret: isAuthenticated },
  EmailToSmsSender: allow,
  EmailToSmsRejection: allow,
  EmailToSmsConfig: allow,
  EmailToSmsSecret: allow,
};
