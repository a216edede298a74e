/**
 * The permission catalogue (SPEC I2, I3). A membership's effective permissions are its role's
 * defaults plus its grants minus its revocations. `*.own` permissions narrow to the caller's own
 * data (basic users, SPEC I2).
 */
export const PERMISSIONS = [
  'account.view',
  'sub-accounts',
  'system-configuration',
  'users.view',
  'users',
  'billing',
  'messages.send',
  'inbox',
  'inbox.own',
  'contacts',
  'reports',
  'reports.own',
  'reports-export',
  'api-keys',
  'webhooks',
  'automation',
  'email-to-sms',
  'security',
  'support',
  'deployment',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const isPermission = (value: string): value is Permission => (PERMISSIONS as readonly string[]).includes(value);

export const ROLES = ['ADMIN', 'ADVANCED_USER', 'BASIC_USER'] as const;
export type Role = (typeof ROLES)[number];

const ADMIN_PERMISSIONS: Permission[] = PERMISSIONS.filter(
  (p) => p !== 'billing' && p !== 'inbox.own' && p !== 'reports.own',
);

/**
 * Role defaults. Billing (balances, top-ups, billing details) belongs to the parent-level
 * admin, i.e. an ADMIN on a depth-0 account; sub-account admins get it only by grant.
 */
export function roleDefaults(role: Role, membershipAccountDepth: number): Permission[] {
  switch (role) {
    case 'ADMIN':
      return membershipAccountDepth === 0 ? [...ADMIN_PERMISSIONS, 'billing'] : ADMIN_PERMISSIONS;
    case 'ADVANCED_USER':
      return ['account.view', 'users.view', 'messages.send', 'inbox', 'contacts', 'reports'];
    case 'BASIC_USER':
      return ['account.view', 'messages.send', 'inbox.own', 'reports.own'];
  }
}

export function effectivePermissions(
  role: Role,
  membershipAccountDepth: number,
  granted: readonly string[],
  revoked: readonly string[],
): Set<Permission> {
  const result = new Set<Permission>(roleDefaults(role, membershipAccountDepth));
  for (const p of granted) if ((PERMISSIONS as readonly string[]).includes(p)) result.add(p as Permission);
  for (const p of revoked) if (p !== 'account.view') result.delete(p as Permission);
  return result;
}

const ROLE_RANK: Record<Role, number> = { BASIC_USER: 1, ADVANCED_USER: 2, ADMIN: 3 };
export const roleRank = (role: Role): number => ROLE_RANK[role];
