import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '../../__tests__/helpers';

const CREATE = `mutation($accountId: ID!, $name: String!, $role: Role, $permissions: [String!], $expiresAt: String) {
  createApiKey(accountId: $accountId, name: $name, role: $role, permissions: $permissions, expiresAt: $expiresAt) { key apiKey { id prefix role lastUsedAt } }
}`;
const READ = `query($id: ID!) { account(id: $id) { id name } }`;

describe('API keys (SPEC I7)', () => {
  let stack: TestStack;
  let hqAdmin: string;

  beforeAll(async () => {
    stack = await startTestStack();
    hqAdmin = await stack.login(demoUser('hq-admin').email);
  });
  afterAll(() => stack.close());

  const createKey = async (variables: Record<string, unknown>, token = hqAdmin) => {
    const response = await stack.graphql(CREATE, { name: 'integration', ...variables }, token);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data.createApiKey as { key: string; apiKey: { id: string; prefix: string } };
  };

  it('creates a key shown once, stored as a hash, that works on its subtree only', async () => {
    // Act
    const { key, apiKey } = await createKey({ accountId: demoAccount('north').id, role: 'ADVANCED_USER' });
    const onStore = await stack.graphql(READ, { id: demoAccount('store-n1').id }, key);
    const onSibling = await stack.graphql(READ, { id: demoAccount('south').id }, key);
    const adminAction = await stack.graphql(`mutation($id: ID!) { createSubAccount(input: { parentId: $id, name: "By key" }) { id } }`, { id: demoAccount('north').id }, key);
    const listed = await stack.graphql(`query($id: ID!) { account(id: $id) { apiKeys { nodes { id prefix lastUsedAt } } } }`, { id: demoAccount('north').id }, hqAdmin);
    const stored = await stack.sql.query(`SELECT * FROM identity.api_keys WHERE id = $1`, [apiKey.id]);

    // Assert
    expect(key).toMatch(/^mpk_[0-9A-Za-z]{43}_[0-9A-Za-z]{6}$/);
    expect(key.startsWith(apiKey.prefix)).toBe(true);
    expect(onStore.data.account.name).toBe('Store N1');
    expect(codeOf(onSibling)).toBe('NOT_FOUND');
    expect(codeOf(adminAction)).toBe('FORBIDDEN');
    expect(JSON.stringify(stored.rows[0])).not.toContain(key.slice(4, 47));
    expect(listed.data.account.apiKeys.nodes[0].lastUsedAt).not.toBeNull();
  });

  it('refuses revoked and expired keys, keys of suspended accounts and mistyped keys', async () => {
    // Arrange
    const revoked = await createKey({ accountId: demoAccount('store-n2').id, role: 'BASIC_USER' });
    const expiring = await createKey({ accountId: demoAccount('store-n2').id, role: 'BASIC_USER', expiresAt: new Date(Date.now() + 3600_000).toISOString() });
    const suspended = await createKey({ accountId: demoAccount('store-s2').id, role: 'BASIC_USER' });
    const beforeRevocation = await stack.graphql(READ, { id: demoAccount('store-n2').id }, revoked.key);

    // Act
    const revocation = await stack.graphql(`mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: revoked.apiKey.id }, hqAdmin);
    await stack.sql.query(`UPDATE identity.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.apiKey.id]);
    await stack.graphql(`mutation($id: ID!) { suspendAccount(id: $id) { status } }`, { id: demoAccount('store-s2').id }, hqAdmin);
    const outcomes = await Promise.all(
      [revoked.key, expiring.key, suspended.key, `${revoked.key.slice(0, -1)}x`].map((key) => stack.graphql(READ, { id: demoAccount('store-n2').id }, key)),
    );

    // Assert
    expect(beforeRevocation.data.account.id).toBe(demoAccount('store-n2').id);
    expect(revocation.data.revokeApiKey.revokedAt).not.toBeNull();
    expect(outcomes.map((o) => [o.status, codeOf(o)])).toEqual(Array(4).fill([401, 'UNAUTHENTICATED']));
  });

  it('never gives a key more than its creator holds', async () => {
    // Arrange
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const n1Advanced = await stack.login(demoUser('n1-advanced').email);
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM identity.api_keys`)).rows[0].n;

    // Act
    const billing = await stack.graphql(CREATE, { accountId: demoAccount('north').id, name: 'x', permissions: ['billing'] }, northAdmin);
    const noPermission = await stack.graphql(CREATE, { accountId: demoAccount('store-n1').id, name: 'x', role: 'BASIC_USER' }, n1Advanced);
    const both = await stack.graphql(CREATE, { accountId: demoAccount('north').id, name: 'x', role: 'BASIC_USER', permissions: ['reports'] }, northAdmin);
    const past = await stack.graphql(CREATE, { accountId: demoAccount('north').id, name: 'x', role: 'BASIC_USER', expiresAt: '2000-01-01T00:00:00Z' }, northAdmin);

    // Assert
    expect(codeOf(billing)).toBe('PERMISSION_ESCALATION');
    expect(codeOf(noPermission)).toBe('FORBIDDEN');
    expect(codeOf(both)).toBe('BAD_USER_INPUT');
    expect(codeOf(past)).toBe('BAD_USER_INPUT');
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM identity.api_keys`)).rows[0].n).toBe(before);
  });

  it('registers a partner app and its manifests, and ties keys to it', async () => {
    // Arrange
    const crypto = await import('node:crypto');
    const body = 'query Accounts { accountTree { id } }';
    const id = crypto.createHash('sha256').update(body).digest('hex');
    const app = await stack.graphql(`mutation($a: ID!) { registerPartnerApp(accountId: $a, name: "Dashboard") { id } }`, { a: demoAccount('hq').id }, hqAdmin);
    const appId = app.data.registerPartnerApp.id;
    const upload = (manifest: unknown) =>
      stack.graphql(`mutation($id: ID!, $m: JSON!) { uploadPartnerManifest(appId: $id, manifest: $m) { version operationCount retiredAt } }`, { id: appId, m: manifest }, hqAdmin);

    // Act
    const first = await upload({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id, name: 'Accounts', type: 'query', body }] });
    const badHash = await upload({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: '0'.repeat(64), name: 'Accounts', type: 'query', body }] });
    const retired = await stack.graphql(`mutation($id: ID!) { retirePartnerManifest(appId: $id, version: 1) { version retiredAt } }`, { id: appId }, hqAdmin);
    const key = await stack.graphql(
      `mutation($a: ID!, $p: ID!) { createApiKey(accountId: $a, name: "partner", role: BASIC_USER, partnerAppId: $p) { apiKey { partnerAppId } } }`,
      { a: demoAccount('hq').id, p: appId },
      hqAdmin,
    );

    // Assert
    expect(first.data.uploadPartnerManifest).toEqual({ version: 1, operationCount: 1, retiredAt: null });
    expect(codeOf(badHash)).toBe('INVALID_MANIFEST');
    expect(retired.data.retirePartnerManifest.retiredAt).not.toBeNull();
    expect(key.data.createApiKey.apiKey.partnerAppId).toBe(appId);
  });
});
