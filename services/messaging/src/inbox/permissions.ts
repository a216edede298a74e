import { allow, isAuthenticated } from '@platform/authz';

/** Root fields need a credential; the service requires inbox access on the conversation's account (NOT_FOUND when invisible). */
export const permissions = {
  Query: { inbox: isAuthenticated, conversation: isAuthenticated },
  Mutation: { replyToConversation: isAuthenticated, injectInboundMessage: isAuthenticated },
  ConversationEntry: allow,
  Conversation: allow,
  ConversationConnection: allow,
  ConversationEdge: allow,
  ConversationEntryConnection: allow,
  ConversationEntryEdge: allow,
  InboundResult: allow,
};
