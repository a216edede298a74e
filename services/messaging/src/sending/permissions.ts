import { allow, canViewParentAccount, isAuthenticated } from '@platform/authz';

/** Root fields need a credential; the service requires the permission on the account sent from (NOT_FOUND when invisible). */
export const permissions = {
  Account: { id: allow, messageCount: canViewParentAccount },
  Query: { messages: isAuthenticated, smsParts: isAuthenticated },
  Mutation: { sendMessage: isAuthenticated, sendBulk: isAuthenticated, cancelMessage: isAuthenticated },
  Message: allow,
  User: allow,
  ApiKey: allow,
  MessageConnection: allow,
  MessageEdge: allow,
  SkippedRecipient: allow,
  SendResult: allow,
  SmsPartsCount: allow,
};
