import type { Permission } from './permissions';
import type { OperatorRole } from './principal';

/**
 * What the platform's operators may do (SPEC O1, O3), by role. Operators act on customers only
 * through operator operations, each requiring one of these; the customer operations refuse them.
 */
export const OPERATOR_CAPABILITIES = {
  /** list and read every customer tree, its users, usage and billing */
  'customers.read': ['OPERATOR_ADMIN', 'OPERATOR_SUPPORT', 'OPERATOR_FINANCE'],
  /** onboard customers; suspend, resume, close and reopen them */
  'customers.manage': ['OPERATOR_ADMIN', 'OPERATOR_SUPPORT'],
  /** approve or reject dedicated numbers, short codes and alphanumeric sender IDs */
  approvals: ['OPERATOR_ADMIN', 'OPERATOR_SUPPORT'],
  /** billing mode and credit ceiling, plans, payments, invoices, credit adjustments */
  finance: ['OPERATOR_ADMIN', 'OPERATOR_FINANCE'],
  /** create and disable operators */
  'operators.manage': ['OPERATOR_ADMIN'],
} as const satisfies Record<string, readonly OperatorRole[]>;

export type OperatorCapability = keyof typeof OPERATOR_CAPABILITIES;

export const operatorCan = (role: OperatorRole | null | undefined, capability: OperatorCapability): boolean =>
  role !== null && role !== undefined && (OPERATOR_CAPABILITIES[capability] as readonly OperatorRole[]).includes(role);

/**
 * What an operator reads of any customer account through the customer-facing fields: the tree,
 * its users, reports and billing — not the customers' contacts, inbox or message texts.
 */
export const OPERATOR_READ_PERMISSIONS: readonly Permission[] = ['account.view', 'users.view', 'reports', 'billing'];
