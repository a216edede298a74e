import { allow, isAuthenticated } from '@platform/authz';

/** Root fields need a credential; the service requires automation on the rule's account (NOT_FOUND when invisible). */
export const permissions = {
  Query: { automationRules: isAuthenticated },
  Mutation: { createAutomationRule: isAuthenticated, updateAutomationRule: isAuthenticated, deleteAutomationRule: isAuthenticated },
  AutomationRule: allow,
  AutomationFiring: allow,
  AutomationRuleConnection: allow,
  AutomationRuleEdge: allow,
  AutomationFiringConnection: allow,
  AutomationFiringEdge: allow,
};
