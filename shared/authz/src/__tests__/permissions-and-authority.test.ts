import type { AccountChain } from '../access-control';
import { hasAuthorityOver, type AuthorityGrant } from '../authority';
import { effectivePermissions, roleDefaults } from '../permissions';

const ROOT = 'a0000000-0000-4000-8000-000000000000';
const REGION = 'a1000000-0000-4000-8000-000000000000';
const STORE = 'a1100000-0000-4000-8000-000000000000';
const OTHER_REGION = 'a2000000-0000-4000-8000-000000000000';

const chainOf = (path: string[]): AccountChain => ({
  id: path[path.length - 1], rootId: path[0], parentId: path.length > 1 ? path[path.length - 2] : null, path, depth: path.length - 1,
  status: 'ACTIVE', chainStatus: 'ACTIVE', suspendedFromDepth: null,
});
const grant = (role: AuthorityGrant['role'], path: string[]): AuthorityGrant => ({ role, accountPath: path });

describe('role defaults and grants (SPEC I5)', () => {
  it('billing belongs to the parent-level admin; a sub-account admin gets it only by grant', () => {
    // Arrange / Act
    const parentAdmin = roleDefaults('ADMIN', 0);
    const subAccountAdmin = roleDefaults('ADMIN', 2);
    const granted = effectivePermissions('ADMIN', 2, ['billing'], []);

    // Assert
    expect(parentAdmin).toContain('billing');
    expect(subAccountAdmin).not.toContain('billing');
    expect(granted.has('billing')).toBe(true);
  });

  it('revoking removes a default, except account.view; unknown permission names grant nothing', () => {
    // Act
    const permissions = effectivePermissions('ADVANCED_USER', 1, ['no.such.permission'], ['contacts', 'account.view']);

    // Assert
    expect(permissions.has('contacts')).toBe(false);
    expect(permissions.has('account.view')).toBe(true);
    expect([...permissions]).not.toContain('no.such.permission');
  });

  it('a basic user sees only their own inbox and reports', () => {
    // Act
    const permissions = [...effectivePermissions('BASIC_USER', 1, [], [])];

    // Assert
    expect(permissions.sort()).toEqual(['account.view', 'inbox.own', 'messages.send', 'reports.own']);
  });
});

describe('authority over another user (SPEC I6: who may set limits)', () => {
  const storeChain = chainOf([ROOT, REGION, STORE]);

  it.each([
    ['an admin over an advanced user of the same account', [grant('ADMIN', [ROOT, REGION, STORE])], [grant('ADVANCED_USER', [ROOT, REGION, STORE])], true],
    ['an admin of an ancestor over an admin of the account', [grant('ADMIN', [ROOT, REGION])], [grant('ADMIN', [ROOT, REGION, STORE])], true],
    ['a peer: same role on the same account', [grant('ADMIN', [ROOT, REGION, STORE])], [grant('ADMIN', [ROOT, REGION, STORE])], false],
    ['oneself', [grant('ADMIN', [ROOT])], [grant('ADMIN', [ROOT])], false],
    ['a lower role on an ancestor', [grant('ADVANCED_USER', [ROOT])], [grant('ADMIN', [ROOT, REGION, STORE])], false],
    ['an admin of another branch', [grant('ADMIN', [ROOT, OTHER_REGION])], [grant('BASIC_USER', [ROOT, REGION, STORE])], false],
    ['an admin when the target also holds an equal grant higher up', [grant('ADMIN', [ROOT, REGION, STORE])], [grant('BASIC_USER', [ROOT, REGION, STORE]), grant('ADMIN', [ROOT, REGION])], false],
  ])('%s: %s', (_case, caller, target, expected) => {
    // Act
    const result = hasAuthorityOver(caller, target, storeChain);

    // Assert
    expect(result).toBe(expected);
  });
});
