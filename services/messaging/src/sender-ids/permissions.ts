import { allow, isAuthenticated, isOperatorWith } from '@platform/authz';

/** Root fields need a credential; the service requires the permission on the sender ID's account. Approvals are the operator's. */
export const permissions = {
  Query: { senderIds: isAuthenticated, pendingSenderIds: isOperatorWith('approvals') },
  Mutation: { requestSenderId: isAuthenticated, verifySenderId: isAuthenticated, activateSenderId: isOperatorWith('approvals'), rejectSenderId: isOperatorWith('approvals') },
  SenderId: allow,
  SenderIdEdge: allow,
  SenderIdConnection: allow,
  PageInfo: allow,
};
