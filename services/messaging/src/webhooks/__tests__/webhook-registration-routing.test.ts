import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createBillingClient } from '@platform/billing-client';
import { ConfigError, loadConfig, requirePrivateKey } from '@platform/config';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import type { WebhookDispatcher } from '../dispatcher';
import { classifyAddress, parseWebhookUrl } from '../url-policy';
import { createEndpoint, createTestDispatcher, dispatchRound, startReceiver, verifyStandardWebhook, type Receiver } from './webhook-kit';

const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`;

describe('webhook endpoints: URL policy, permissions, secrets at rest (SPEC M10)', () => {
  let stack: TestStack;
  let hqAdmin: string;

  beforeAll(async () => {
    stack = await startTestStack({ env: { WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
  });
  afterAll(() => stack?.close());

  it('refuses private, link-local, metadata and non-https URLs at registration, writing nothing', async () => {
    // Arrange
    const refused = [
      'https://10.0.0.1/hook',
      'https://172.16.5.4/hook',
      'https://172.31.255.255/hook',
      'https://192.168.1.20/hook',
      'https://169.254.169.254/latest/meta-data/',
      'https://0xa9fea9fe/latest/meta-data/',
      'https://[::ffff:169.254.169.254]/',
      'https://metadata.google.internal/computeMetadata/v1/',
      'https://[fd00::1]/hook',
      'https://[fe80::1]/hook',
      'https://0.0.0.0/hook',
      'https://100.64.0.1/hook',
      'https://intranet/hook',
      'http://hooks.example.com/hook',
      'ftp://hooks.example.com/hook',
      'https://user:password@hooks.example.com/hook',
      'not a url',
    ];
    const before = (await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.webhook_endpoints`)).rows[0].n;

    // Act
    const responses = [];
    for (const url of refused) responses.push(await stack.graphql(CREATE, { input: { accountId: demoAccount('hq').id, url, eventTypes: ['message.status'] } }, hqAdmin));
    const allowed = await stack.graphql(CREATE, { input: { accountId: demoAccount('hq').id, url: 'https://93.184.215.14/hook', eventTypes: ['message.status'] } }, hqAdmin);

    // Assert
    expect(responses.map((r, i) => [refused[i], r.errors?.[0]?.extensions?.code])).toEqual(refused.map((url) => [url, 'WEBHOOK_URL_NOT_ALLOWED']));
    expect(responses[4].errors?.[0]?.extensions?.reason).toBe('METADATA_ADDRESS');
    expect(responses[0].errors?.[0]?.extensions?.reason).toBe('PRIVATE_ADDRESS');
    expect(responses[13].errors?.[0]?.extensions?.reason).toBe('SCHEME_NOT_ALLOWED');
    expect(allowed.errors).toBeUndefined();
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.webhook_endpoints`)).rows[0].n).toBe(before + 1);
  });

  it('allows loopback and plain http only under the development flag, never in production', () => {
    // Act
    const attempt = (url: string, policy: { production: boolean; allowLoopback: boolean }) => {
      try {
        parseWebhookUrl(url, policy);
        return 'allowed';
      } catch (error) {
        return (error as { extensions: { reason: string } }).extensions.reason;
      }
    };
    const productionConfig = () => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', INTERNAL_SIGNING_SECRET: 'x'.repeat(40), WEBHOOK_ENCRYPTION_KEY: 'k'.repeat(40), WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' });

    // Assert
    expect(attempt('http://127.0.0.1:8080/hook', { production: false, allowLoopback: true })).toBe('allowed');
    expect(attempt('http://localhost:8080/hook', { production: false, allowLoopback: true })).toBe('allowed');
    expect(attempt('http://127.0.0.1:8080/hook', { production: false, allowLoopback: false })).toBe('LOOPBACK_ADDRESS');
    expect(attempt('http://[::1]/hook', { production: false, allowLoopback: false })).toBe('LOOPBACK_ADDRESS');
    expect(attempt('http://2130706433/hook', { production: true, allowLoopback: true })).toBe('LOOPBACK_ADDRESS');
    expect(attempt('http://hooks.example.com/hook', { production: true, allowLoopback: false })).toBe('SCHEME_NOT_ALLOWED');
    expect(attempt('https://hooks.example.com/hook', { production: true, allowLoopback: false })).toBe('allowed');
    expect(productionConfig).toThrow(ConfigError);
    expect(productionConfig).toThrow(/WEBHOOK_ALLOW_LOOPBACK_URLS cannot be true in production/);
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x', INTERNAL_SIGNING_SECRET: 'x'.repeat(40) })).toThrow(/WEBHOOK_ENCRYPTION_KEY is required/);
    expect(['10.1.1.1', '::ffff:a9fe:a9fe', 'fc00::1', 'fe80::abcd', '169.254.169.254', '8.8.8.8', '2606:4700::1111'].map(classifyAddress)).toEqual([
      'private',
      'metadata',
      'private',
      'private',
      'metadata',
      'public',
      'public',
    ]);
  });

  it('lets only holders of the webhooks permission manage endpoints, hiding other tenants and siblings', async () => {
    // Arrange
    const hqEndpoint = await createEndpoint(stack, hqAdmin, { accountId: demoAccount('hq').id, url: 'https://93.184.215.14/hq', eventTypes: ['account.created'] });
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const advanced = await stack.login(demoUser('n1-advanced').email);
    const otherTenant = await stack.login(demoUser('accountant').email);

    // Act
    const byAdvancedUser = await stack.graphql(CREATE, { input: { accountId: demoAccount('store-n1').id, url: 'https://93.184.215.14/x', eventTypes: ['message.status'] } }, advanced);
    const onSibling = await stack.graphql(CREATE, { input: { accountId: demoAccount('south').id, url: 'https://93.184.215.14/x', eventTypes: ['message.status'] } }, northAdmin);
    const ancestorsEndpoint = await stack.graphql(`query($id: ID!) { webhookEndpoint(id: $id) { id } }`, { id: hqEndpoint.id }, northAdmin);
    const foreignRotation = await stack.graphql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id: hqEndpoint.id }, otherTenant);
    const unknownType = await stack.graphql(CREATE, { input: { accountId: demoAccount('north').id, url: 'https://93.184.215.14/x', eventTypes: ['message.sent'] } }, northAdmin);
    const listed = await stack.graphql(`query($a: ID!) { webhookEndpoints(accountId: $a) { nodes { id url eventTypes } } }`, { a: demoAccount('hq').id }, hqAdmin);

    // Assert
    expect(byAdvancedUser.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(onSibling.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(ancestorsEndpoint.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(foreignRotation.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(unknownType.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(listed.data.webhookEndpoints.nodes.map((e: { id: string }) => e.id)).toContain(hqEndpoint.id);
  });

  it('stores signing secrets encrypted (never the whsec_ value) and writes an activity-log entry per change', async () => {
    // Arrange
    const { id, secret } = await createEndpoint(stack, hqAdmin, { accountId: demoAccount('hq').id, url: 'https://93.184.215.14/sealed', eventTypes: ['message.status'] });
    const rotated = await stack.graphql(`mutation($id: ID!) { rotateWebhookSecret(id: $id) { secret } }`, { id }, hqAdmin);
    const secrets = [secret, rotated.data.rotateWebhookSecret.secret];

    // Act
    const { rows } = await stack.sql.query(`SELECT * FROM messaging.webhook_endpoints WHERE id = $1`, [id]);
    const stored = JSON.stringify(rows[0]);
    const { rows: log } = await stack.sql.query(`SELECT action, after::text AS after FROM messaging.activity_log WHERE target_id = $1 ORDER BY seq`, [id]);

    // Assert
    for (const value of secrets) {
      expect(stored).not.toContain(value);
      expect(stored).not.toContain(value.slice('whsec_'.length));
      expect(JSON.stringify(log)).not.toContain(value.slice('whsec_'.length));
    }
    expect(rows[0].secret_sealed).toMatch(/^v1\./);
    expect(rows[0].previous_secret_sealed).toMatch(/^v1\./);
    expect(log.map((entry: { action: string }) => entry.action)).toEqual(['createWebhookEndpoint', 'rotateWebhookSecret']);
  });
});

describe('webhook routing over the account tree (SPEC M10, H3)', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let dispatcher: WebhookDispatcher;
  let dataSource: DataSource;

  beforeAll(async () => {
    stack = await startTestStack({ env: { WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
    receiver = await startReceiver();
    ({ dispatcher, dataSource } = await createTestDispatcher(stack));
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await receiver?.close();
    await stack?.close();
  });

  it("delivers a sub-account's event to an ancestor's subscription only with includeSubAccounts, never to a sibling or another tenant", async () => {
    // Arrange
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const acmeAdmin = await stack.login(demoUser('accountant').email);
    const subscribe = (token: string, account: string, path: string, includeSubAccounts: boolean) =>
      createEndpoint(stack, token, { accountId: demoAccount(account).id, url: receiver.url(path), eventTypes: ['account.created', 'account.moved', 'account.closed'], includeSubAccounts });
    const endpoints = {
      hqWithSubAccounts: await subscribe(hqAdmin, 'hq', '/hq-with-sub-accounts', true),
      hqOwnOnly: await subscribe(hqAdmin, 'hq', '/hq-own-only', false),
      northWithSubAccounts: await subscribe(hqAdmin, 'north', '/north-with-sub-accounts', true),
      northOwnOnly: await subscribe(hqAdmin, 'north', '/north-own-only', false),
      siblingSouth: await subscribe(hqAdmin, 'south', '/south-sibling', true),
      siblingStore: await subscribe(hqAdmin, 'store-n1', '/store-n1-sibling', true),
      otherTenant: await subscribe(acmeAdmin, 'acme', '/acme-other-tenant', true),
    };

    // Act: the hierarchy publishes account.created in the creation's transaction
    const created = await stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Webhook child" }) { id } }`, { p: demoAccount('north').id }, hqAdmin);
    const childId: string = created.data.createSubAccount.id;
    await dispatchRound(dispatcher, stack);

    // Assert
    const receivedPaths = receiver.requests.map((r) => r.path).sort();
    expect(receivedPaths).toEqual(['/hq-with-sub-accounts', '/north-with-sub-accounts']);
    const [toHq] = receiver.to('/hq-with-sub-accounts');
    expect(JSON.parse(toHq.body)).toMatchObject({ type: 'account.created', data: { accountId: childId, parentId: demoAccount('north').id, depth: 2, name: 'Webhook child' } });
    expect(verifyStandardWebhook(endpoints.hqWithSubAccounts.secret, toHq)).toBe(true);
    expect(verifyStandardWebhook(endpoints.northWithSubAccounts.secret, receiver.to('/north-with-sub-accounts')[0])).toBe(true);
    expect(toHq.headers['webhook-id']).toBe(receiver.to('/north-with-sub-accounts')[0].headers['webhook-id']);
  });

  it("routes moves and closures by the account's path, and billing's low-balance event to the paying account", async () => {
    // Arrange
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const hq = demoAccount('hq').id;
    const lowBalance = await createEndpoint(stack, hqAdmin, { accountId: hq, url: receiver.url('/low-balance'), eventTypes: ['billing.low_balance'] });
    await createEndpoint(stack, hqAdmin, { accountId: demoAccount('north').id, url: receiver.url('/north-low-balance'), eventTypes: ['billing.low_balance'], includeSubAccounts: true });
    const child = (await stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Mover" }) { id } }`, { p: demoAccount('north').id }, hqAdmin)).data.createSubAccount.id;
    const { rows } = await stack.sql.query(`SELECT units FROM billing.balances WHERE account_id = $1`, [hq]);
    const units = Number(rows[0].units);
    await stack.graphql(`mutation($a: ID!, $t: Int) { setLowBalanceThreshold(accountId: $a, threshold: $t) { id } }`, { a: hq, t: units - 5 }, hqAdmin);
    await dispatchRound(dispatcher, stack);
    const before = receiver.requests.length;

    // Act
    await stack.graphql(`mutation($id: ID!, $p: ID!) { moveAccount(id: $id, newParentId: $p) { id } }`, { id: child, p: demoAccount('south').id }, hqAdmin);
    await stack.graphql(`mutation($id: ID!) { closeAccount(id: $id) { id } }`, { id: child }, hqAdmin);
    const billing = createBillingClient({ url: stack.subgraphUrls.billing, privateKey: requirePrivateKey(stack.config, 'messaging') });
    const reservation = await billing.reserve({ accountId: demoAccount('store-n1').id, userId: null, units: 10, idempotencyKey: crypto.randomUUID(), reference: 'webhook-test' });
    await billing.capture(reservation.id);
    await dispatchRound(dispatcher, stack);

    // Assert
    const received = receiver.requests.slice(before).map((r) => `${r.path} ${JSON.parse(r.body).type}`).sort();
    expect(received).toEqual([
      '/hq-with-sub-accounts account.closed',
      '/hq-with-sub-accounts account.moved',
      '/low-balance billing.low_balance',
      '/south-sibling account.closed',
      '/south-sibling account.moved',
    ]);
    const low = receiver.to('/low-balance')[0];
    expect(JSON.parse(low.body).data).toEqual({ accountId: hq, balance: units - 10, threshold: units - 5 });
    expect(verifyStandardWebhook(lowBalance.secret, low)).toBe(true);
    expect(receiver.to('/north-low-balance')).toHaveLength(0); // hq's balance is above north: not a sub-account event of north
  });
});
