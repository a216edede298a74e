import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { sha256, startExtraGateway, type ExtraGateway } from './extra-gateway';
import { errorCodes, request, withGraphQLParams } from './http-client';

const manifestOf = (bodies: string[]) => ({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations: bodies.map((body) => ({ id: sha256(body), name: /(?:query|mutation) (\w+)/.exec(body)![1], type: body.startsWith('mutation') ? 'mutation' : 'query', body })),
});


// Starting a stack migrates a throwaway database; with suites in parallel that can exceed jest's 5 s default.
jest.setTimeout(30_000);
describe('trusted documents for partner apps (SPEC G3)', () => {
  let stack: TestStack;
  let adminToken: string;
  let appId: string;
  let partnerKey: string;
  let plainKey: string;
  const tree = 'query PartnerTree { accountTree { id name } }';
  const rename = 'mutation PartnerRename($id: ID!) { updateAccountSettings(id: $id, input: { deliveryReceipts: true }) { id } }';
  const foreign = 'query PartnerForeign($id: ID!) { account(id: $id) { id name } }';
  const nextVersionOnly = 'query PartnerMe { __typename }';

  const admin = async <T = any>(query: string, variables: Record<string, unknown>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const response = await stack.graphql<T>(query, variables, adminToken);
    if (!response.data) throw new Error(JSON.stringify(response.errors));
    return response.data;
  };
  const partner = (body: unknown, key = partnerKey) => request(stack.gatewayUrl, { body, headers: { authorization: `Bearer ${key}` } });
  const byHash = (text: string, variables?: Record<string, unknown>) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(text) } } });

  beforeAll(async () => {
    stack = await startTestStack({ env: { PARTNER_OPERATION_CACHE_TTL_SECONDS: '0' } });
    adminToken = await stack.login('north.admin@retail.example');
    const north = demoAccount('north').id;
    appId = (await admin(`mutation($a: ID!) { registerPartnerApp(accountId: $a, name: "Rota sync") { id } }`, { a: north })).registerPartnerApp.id;
    await admin(`mutation($app: ID!, $m: JSON!) { uploadPartnerManifest(appId: $app, manifest: $m) { version } }`, { app: appId, m: manifestOf([tree, rename, foreign]) });
    partnerKey = (await admin(`mutation($a: ID!, $app: ID) { createApiKey(accountId: $a, name: "partner", role: ADMIN, partnerAppId: $app) { key } }`, { a: north, app: appId })).createApiKey.key;
    plainKey = (await admin(`mutation($a: ID!) { createApiKey(accountId: $a, name: "plain", role: ADVANCED_USER) { key } }`, { a: north })).createApiKey.key;
  });
  afterAll(() => stack.close());

  it('a registered operation runs by extensions.persistedQuery hash and by documentId, over POST and GET', async () => {
    // Act
    const byExtension = await partner(byHash(tree));
    const byDocumentId = await partner({ documentId: `sha256:${sha256(tree)}` });
    const byBareDocumentId = await partner({ documentId: sha256(tree) });
    const byGet = await request(withGraphQLParams(stack.gatewayUrl, { documentId: `sha256:${sha256(tree)}` }), {
      headers: { authorization: `Bearer ${partnerKey}`, 'apollo-require-preflight': 'true' },
    });

    // Assert
    const names = (byExtension.body.data.accountTree as { name: string }[]).map((a) => a.name);
    expect(names).toContain('North Region');
    expect(names).not.toContain('South Region');
    expect(byDocumentId.body).toEqual(byExtension.body);
    expect(byBareDocumentId.body).toEqual(byExtension.body);
    expect(byGet.body).toEqual(byExtension.body);
  });

  it('a query text is refused with PERSISTED_QUERY_REQUIRED, alone or as an APQ registration', async () => {
    // Act
    const bodyAlone = await partner({ query: tree });
    const apqRegistration = await partner({ query: nextVersionOnly, ...byHash(nextVersionOnly) });
    const registeredTextWithItsHash = await partner({ query: tree, ...byHash(tree) });
    const afterAttempt = await partner(byHash(nextVersionOnly));

    // Assert
    expect(errorCodes(bodyAlone.body)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    expect(errorCodes(apqRegistration.body)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    expect(errorCodes(registeredTextWithItsHash.body)).toEqual(['PERSISTED_QUERY_REQUIRED']);
    expect(errorCodes(afterAttempt.body)).toEqual(['OPERATION_NOT_REGISTERED']);
    for (const response of [bodyAlone, apqRegistration, registeredTextWithItsHash]) expect(response.body.data).toBeUndefined();
  });

  it('unknown, malformed and missing ids are refused with OPERATION_NOT_REGISTERED / PERSISTED_QUERY_REQUIRED', async () => {
    // Arrange: a web client registers an APQ; it is still not a partner operation
    const webQuery = 'query WebOnly { __typename }';
    await request(stack.gatewayUrl, { body: { query: webQuery, ...byHash(webQuery) } });

    // Act
    const unknown = await partner(byHash('query Nope { __typename }'));
    const apqOfWebClient = await partner(byHash(webQuery));
    const malformed = await partner({ documentId: 'sha256:../../etc' });
    const missing = await partner({ variables: {} });

    // Assert
    expect(errorCodes(unknown.body)).toEqual(['OPERATION_NOT_REGISTERED']);
    expect(errorCodes(apqOfWebClient.body)).toEqual(['OPERATION_NOT_REGISTERED']);
    expect(errorCodes(malformed.body)).toEqual(['OPERATION_NOT_REGISTERED']);
    expect(errorCodes(missing.body)).toEqual(['PERSISTED_QUERY_REQUIRED']);
  });

  it('registered operations are still authorized by the subgraphs: a foreign account is NOT_FOUND', async () => {
    // Act
    const own = await partner(byHash(foreign, { id: demoAccount('store-n1').id }));
    const sibling = await partner(byHash(foreign, { id: demoAccount('south').id }));
    const otherTenant = await partner(byHash(foreign, { id: demoAccount('acme').id }));

    // Assert
    expect(own.body.data.account.name).toBe('Store N1');
    for (const response of [sibling, otherTenant]) {
      expect(errorCodes(response.body)).toEqual(['NOT_FOUND']);
      expect(JSON.stringify(response.body)).not.toMatch(/South Region|Acme/);
    }
  });

  it('a mutation of the manifest cannot be sent over GET', async () => {
    // Act
    const response = await request(withGraphQLParams(stack.gatewayUrl, { documentId: sha256(rename), variables: { id: demoAccount('north').id } }), {
      headers: { authorization: `Bearer ${partnerKey}`, 'apollo-require-preflight': 'true' },
    });

    // Assert
    expect(response.status).toBe(405);
  });

  it('a new manifest version keeps the previous ids working until that version is retired', async () => {
    // Arrange
    const second = await admin(`mutation($app: ID!, $m: JSON!) { uploadPartnerManifest(appId: $app, manifest: $m) { version } }`, { app: appId, m: manifestOf([nextVersionOnly]) });
    const oldIdWithTwoVersions = await partner(byHash(tree));
    const newId = await partner(byHash(nextVersionOnly));

    // Act
    await admin(`mutation($app: ID!) { retirePartnerManifest(appId: $app, version: 1) { retiredAt } }`, { app: appId });
    const oldIdAfterRetirement = await partner(byHash(tree));
    const newIdAfterRetirement = await partner(byHash(nextVersionOnly));

    // Assert
    expect(second.uploadPartnerManifest.version).toBe(2);
    expect(oldIdWithTwoVersions.body.data.accountTree.length).toBeGreaterThan(0);
    expect(newId.body).toEqual({ data: { __typename: 'Query' } });
    expect(errorCodes(oldIdAfterRetirement.body)).toEqual(['OPERATION_NOT_REGISTERED']);
    expect(newIdAfterRetirement.body).toEqual({ data: { __typename: 'Query' } });
  });

  it('an API key without a partner app still sends query texts', async () => {
    // Act
    const response = await partner({ query: '{ accountTree { name } }' }, plainKey);

    // Assert
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data.accountTree.length).toBeGreaterThan(0);
  });

  it('scripts/upload-manifest.ts uploads a manifest file as the next version, whose ids then run', async () => {
    // Arrange
    const uploaded = 'query PartnerUploaded { accountTree { id } }';
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-')), 'manifest.json');
    fs.writeFileSync(file, JSON.stringify(manifestOf([uploaded])));
    const root = path.join(__dirname, '..', '..', '..');

    // Act
    const { stdout } = await promisify(execFile)(path.join(root, 'node_modules', '.bin', 'tsx'), ['scripts/upload-manifest.ts', '--app', appId, '--file', file, '--url', stack.gatewayUrl], {
      cwd: root,
      env: { ...process.env, PLATFORM_TOKEN: adminToken },
    });
    const response = await partner(byHash(uploaded));

    // Assert
    expect(stdout).toMatch(/manifest version \d+ uploaded \(1 operations\)/);
    expect(response.body.data.accountTree.length).toBeGreaterThan(0);
  });

  describe('per-API-key rate limit', () => {
    let limited: ExtraGateway;

    beforeAll(async () => {
      limited = await startExtraGateway(stack, { ...stack.config, redisUrl: undefined, gateway: { ...stack.config.gateway, rateLimitPerApiKey: 3, rateLimitWindowSeconds: 600 } });
    });
    afterAll(() => limited.close());

    it('the fourth request with one key in a window gets 429 RATE_LIMITED with Retry-After; another key is unaffected', async () => {
      // Arrange
      const call = (key: string) => request(limited.url, { body: { query: '{ __typename }' }, headers: { authorization: `Bearer ${key}` } });
      const allowed = [await call(plainKey), await call(plainKey), await call(plainKey)];

      // Act
      const refused = await call(plainKey);
      const otherKey = await request(limited.url, { body: byHash(nextVersionOnly), headers: { authorization: `Bearer ${partnerKey}` } });

      // Assert
      expect(allowed.map((r) => r.status)).toEqual([200, 200, 200]);
      expect(refused.status).toBe(429);
      expect(errorCodes(refused.body)).toEqual(['RATE_LIMITED']);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(otherKey.status).toBe(200);
    });
  });
});
