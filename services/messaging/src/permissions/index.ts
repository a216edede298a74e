import { allow, canViewParentAccount, isAuthenticated } from '@platform/authz';

/**
 * Every root field needs a credential; the services then decide with ctx.access.require on the
 * account the target belongs to (an invisible target answers NOT_FOUND) and narrow by I2/I6.
 * Object fields are allowed: only the services hand objects out.
 */
export const permissions = {
  Account: { id: allow, messageCount: canViewParentAccount },
  Query: {
    contacts: isAuthenticated,
    contactGroups: isAuthenticated,
    senderIds: isAuthenticated,
    messages: isAuthenticated,
    inbox: isAuthenticated,
  },
  Mutation: Object.fromEntries(
    [
      'createContact', 'updateContact', 'deleteContact', 'importContacts', 'createContactGroup', 'updateContactGroup', 'deleteContactGroup',
      'requestSenderId', 'verifySenderId', 'activateSenderId', 'sendMessage', 'sendBulk', 'cancelMessage', 'replyToConversation',
      'resubscribeContact', 'injectInboundMessage',
    ].map((name) => [name, isAuthenticated]),
  ),
  Contact: allow,
  ContactConnection: allow,
  ContactGroup: allow,
  RejectedContactRow: allow,
  ContactImportReport: allow,
  SenderId: allow,
  Message: allow,
  MessageConnection: allow,
  SkippedRecipient: allow,
  SendResult: allow,
  ConversationEntry: allow,
  Conversation: allow,
  ConversationConnection: allow,
  InboundResult: allow,
};
