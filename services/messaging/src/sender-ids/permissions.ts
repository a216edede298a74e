import { allow, isAuthenticated } from '@platform/authz';

/** Root fields need a credential; the service requires the permission on the sender ID's account. */
export const permissions = {
  Query: { senderIds: isAuthenticated },
  Mutation: { requestSenderId: isAuthenticated, verifySenderId: isAuthenticated, activateSenderId: isAuthenticated },
  SenderId: allow,
};
