import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { FIRST_PARTY_DOCUMENTS_DIR, FirstPartyDocuments } from '../trusted-documents';
import { sha256 } from './extra-gateway';
import { errorCodes, request, withGraphQLParams } from './http-client';

interface ManifestOperation {
  id: string;
  name: string;
  body: string;
}
const portalManifest = JSON.parse(fs.readFileSync(path.join(FIRST_PARTY_DOCUMENTS_DIR, 'portal.json'), 'utf8')) as { operations: ManifestOperation[] };
const portalOperation = (name: string): ManifestOperation => portalManifest.operations.find((operation) => operation.name === name)!;

jest.setTimeout(30_000);
describe("first-party trusted documents: the portal's operations by id (issue 18)", () => {
  let stack: TestStack;
  let token: string;

  beforeAll(async () => {
    stack = await startTestStack();
    token = await stack.login('north.admin@retail.example');
  });
  afterAll(() => stack.close());

  const post = (body: unknown, bearer = token) => request(stack.gatewayUrl, { body, headers: { authorization: `Bearer ${bearer}` } });

  it('a session runs a portal operation by documentId over POST and GET, with the same authorization as its text', async () => {
    // Arrange
    const detail = portalOperation('PortalPermissions');
    const variables = { accountId: demoAccount('north').id };
    const hidden = { accountId: demoAccount('south').id };

    // Act
    const byPost = await post({ documentId: `sha256:${detail.id}`, variables });
    const byGet = await request(withGraphQLParams(stack.gatewayUrl, { documentId: detail.id, variables }), {
      headers: { authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' },
    });
    const onHiddenAccount = await post({ documentId: `sha256:${detail.id}`, variables: hidden });
    const byText = await post({ query: detail.body, variables });

    // Assert
    expect(byPost.status).toBe(200);
    expect(byPost.body.data.me.permissionsOn).toContain('sub-accounts');
    expect(byGet.body.data).toEqual(byPost.body.data);
    expect(onHiddenAccount.body.data.me.permissionsOn).toEqual([]);
    expect(byText.body.data).toEqual(byPost.body.data);
  });

  it('an id outside the first-party manifests is OPERATION_NOT_REGISTERED, and a partner key cannot run first-party ids', async () => {
    // Arrange
    const admin = async (query: string, variables: Record<string, unknown>) => (await stack.graphql(query, variables, token)).data;
    const app = (await admin(`mutation($a: ID!) { registerPartnerApp(accountId: $a, name: "Rota") { id } }`, { a: demoAccount('north').id })).registerPartnerApp.id;
    const key = (await admin(`mutation($a: ID!, $app: ID) { createApiKey(accountId: $a, name: "rota", role: ADMIN, partnerAppId: $app) { key } }`, { a: demoAccount('north').id, app })).createApiKey.key;
    const viewer = portalOperation('PortalViewer');

    // Act
    const unknown = await post({ documentId: `sha256:${sha256('query Nope { __typename }')}` });
    const partner = await post({ documentId: `sha256:${viewer.id}` }, key);

    // Assert
    expect(errorCodes(unknown.body)).toEqual(['OPERATION_NOT_REGISTERED']);
    expect(errorCodes(partner.body)).toEqual(['OPERATION_NOT_REGISTERED']);
  });

  it('refuses at load a manifest whose id is not the SHA-256 of its body', () => {
    // Arrange
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'first-party-'));
    const body = 'query Tampered { __typename }';
    fs.writeFileSync(path.join(dir, 'app.json'), JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: sha256('query Other { __typename }'), name: 'Tampered', type: 'query', body }] }));

    // Act
    const load = () => FirstPartyDocuments.load(dir);

    // Assert
    expect(load).toThrow('the id of Tampered is not the SHA-256 of its body');
    expect(FirstPartyDocuments.load().size).toBe(portalManifest.operations.length);
    fs.rmSync(dir, { recursive: true });
  });
});
