import { allow, isAuthenticated } from '@platform/authz';

/** Root fields need a credential; the service requires the permission on the template's account (NOT_FOUND when invisible). */
export const permissions = {
  Query: { messageTemplates: isAuthenticated },
  Mutation: { createMessageTemplate: isAuthenticated, updateMessageTemplate: isAuthenticated, deleteMessageTemplate: isAuthenticated },
  MessageTemplate: allow,
  MessageTemplateConnection: allow,
  MessageTemplateEdge: allow,
};
