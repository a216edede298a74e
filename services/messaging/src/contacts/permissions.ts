import { allow, isAuthenticated } from '@platform/authz';

/**
 * Every root field needs a credential; the services then decide with ctx.access.require on the
 * account the target belongs to (an invisible target answers NOT_FOUND) and narrow by I2/I6.
 * Object fields are allowed: only the services hand objects out.
 */
export const permissions = {
  Query: { contacts: isAuthenticated, contactGroups: isAuthenticated },
  Mutation: {
    createContact: isAuthenticated,
    updateContact: isAuthenticated,
    deleteContact: isAuthenticated,
    importContacts: isAuthenticated,
    createContactGroup: isAuthenticated,
    updateContactGroup: isAuthenticated,
    deleteContactGroup: isAuthenticated,
    resubscribeContact: isAuthenticated,
  },
  Contact: allow,
  ContactConnection: allow,
  ContactEdge: allow,
  ContactGroupConnection: allow,
  ContactGroupEdge: allow,
  ContactGroup: allow,
  RejectedContactRow: allow,
  ContactImportReport: allow,
};
