import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { insertAccountTree } from '@platform/account-hierarchy';
import { acceptMessages, QUIET_STACK_ENV } from './usage-fixtures';

const CREATE_EXPORT = `mutation($accountId: ID!, $from: Date!, $to: Date!, $groupBy: [UsageGroupBy!]) {
  createUsageExport(accountId: $accountId, from: $from, to: $to, groupBy: $groupBy) { url expiresAt }
}`;

describe('CSV usage exports (SPEC R2)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let bigTree: { rootId: string; accountIds: string[] };

  beforeAll(async () => {
    stack = await startTestStack({ env: QUIET_STACK_ENV });
    bigTree = await insertAccountTree(stack.sql, { size: 300, fanout: 300, name: 'Export tenant' });
    await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, bigTree.rootId]);
    // 299 children × 10 days = 2,990 rows: more than one cursor fetch
    await acceptMessages(
      stack.sql,
      bigTree.accountIds.slice(1).flatMap((accountId) => Array.from({ length: 10 }, (_, day) => ({ accountId, day: `2024-07-${String(day + 1).padStart(2, '0')}`, parts: 2 }))),
    );
    await acceptMessages(stack.sql, [{ accountId: demoAccount('store-n1').id, userId: demoUser('n1-advanced').id, day: '2024-07-01' }]);
    hqAdmin = await stack.login('hq.admin@retail.example');
  });
  afterAll(() => stack.close());

  const gatewayOrigin = () => new URL(stack.gatewayUrl).origin;

  it('streams every row of the report as CSV through the gateway', async () => {
    // Arrange
    const created = await stack.graphql(CREATE_EXPORT, { accountId: bigTree.rootId, from: '2024-07-01', to: '2024-07-31', groupBy: ['CHILD_ACCOUNT', 'DAY'] }, hqAdmin);
    expect(created.errors).toBeUndefined();
    const { url, expiresAt } = created.data.createUsageExport;

    // Act
    const response = await fetch(new URL(url, gatewayOrigin()));
    const text = await response.text();

    // Assert
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toContain('attachment');
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('child_account_id,day,messages,parts,delivered,failed,cost_units');
    expect(lines).toHaveLength(1 + 299 * 10);
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set(bigTree.accountIds.slice(1)));
    expect(lines.slice(1).every((l) => /^[0-9a-f-]{36},2024-07-\d\d,1,2,0,0,2$/.test(l))).toBe(true);
  });

  it('refuses an export to a role without reports-export, and writes no link', async () => {
    // Arrange
    const advanced = await stack.login('n1.advanced@retail.example');

    // Act
    const response = await stack.graphql(CREATE_EXPORT, { accountId: demoAccount('store-n1').id, from: '2024-07-01', to: '2024-07-31' }, advanced);

    // Assert
    expect(response.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    expect(response.data?.createUsageExport ?? null).toBeNull();
  });

  it('refuses a bad range before making a link', async () => {
    const response = await stack.graphql(CREATE_EXPORT, { accountId: bigTree.rootId, from: '2024-08-01', to: '2024-07-01' }, hqAdmin);
    expect(response.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'from' });
  });

  it('refuses a download with a tampered or missing token', async () => {
    // Arrange
    const created = await stack.graphql(CREATE_EXPORT, { accountId: bigTree.rootId, from: '2024-07-01', to: '2024-07-31' }, hqAdmin);
    const url = new URL(created.data.createUsageExport.url, gatewayOrigin());
    const [body, signature] = url.searchParams.get('token')!.split('.');
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...payload, accountId: demoAccount('acme').id })).toString('base64url');

    // Act
    const tampered = await fetch(new URL(`/exports/usage.csv?token=${forged}.${signature}`, gatewayOrigin()));
    const missing = await fetch(new URL('/exports/usage.csv', gatewayOrigin()));

    // Assert
    expect(tampered.status).toBe(401);
    expect(((await tampered.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(missing.status).toBe(401);
  });

  it('stops a download whose permission was revoked after the link was made', async () => {
    // Arrange
    const created = await stack.graphql(CREATE_EXPORT, { accountId: demoAccount('hq').id, from: '2024-07-01', to: '2024-07-31' }, hqAdmin);
    await stack.sql.query(`UPDATE identity.memberships SET revoked_permissions = ARRAY['reports-export'] WHERE user_id = $1 AND account_id = $2`, [
      demoUser('hq-admin').id,
      demoAccount('hq').id,
    ]);

    // Act
    const response = await fetch(new URL(created.data.createUsageExport.url, gatewayOrigin()));

    // Assert
    expect(response.status).toBe(403);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0].extensions.code).toBe('FORBIDDEN');
  });
});
