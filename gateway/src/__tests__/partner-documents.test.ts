import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { apiSchema, buildManifest, MANIFEST_PATH, serializeManifest, type PersistedQueryManifest } from '../../../scripts/documents-manifest';
import { webhookReceiver, type PlatformEvent } from '../../../documents/examples/webhook-receiver';
import { operationLimitsRule } from '../limits';
import { request } from './http-client';

jest.setTimeout(60_000);

const PARTNER_OPERATIONS = ['ContactsSync', 'Inbox', 'MessageStatus', 'SendMessage', 'UsageReport'];

describe('partner documents (documents/) and their persisted query manifest', () => {
  const committed = JSON.parse(fs.readFileSync(MANIFEST_PATH, 'utf8')) as PersistedQueryManifest;

  it('the committed manifest is what npm run documents:manifest generates from the documents', () => {
    // Act
    const generated = serializeManifest(buildManifest());

    // Assert
    expect(fs.readFileSync(MANIFEST_PATH, 'utf8')).toBe(generated);
    expect(committed.operations.map((operation) => operation.name)).toEqual(PARTNER_OPERATIONS);
    for (const operation of committed.operations) expect(operation.id).toBe(crypto.createHash('sha256').update(operation.body, 'utf8').digest('hex'));
  });

  it("every document validates against the supergraph's API schema and within the gateway's operation limits", () => {
    // Arrange
    const schema = apiSchema();

    for (const operation of committed.operations) {
      // Act
      const errors = validate(schema, parse(operation.body), [operationLimitsRule()]).concat(validate(schema, parse(operation.body)));

      // Assert
      expect(`${operation.name}: ${errors.map((error) => error.message).join('; ')}`).toBe(`${operation.name}: `);
    }
  });

  it('refuses a document that does not validate or whose operation is not named as its file', () => {
    // Arrange
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'documents-'));
    fs.writeFileSync(path.join(dir, 'Broken.graphql'), 'query Broken($accountId: ID!) { contacts(accountId: $accountId) { nodes { id nickname } } }');
    fs.writeFileSync(path.join(dir, 'Misnamed.graphql'), 'query Other { __typename }');

    // Act
    const attempt = () => buildManifest(dir);

    // Assert
    expect(attempt).toThrow(/Broken\.graphql: Cannot query field "nickname" on type "Contact"/);
    expect(attempt).toThrow(/Misnamed\.graphql: must hold exactly one operation, named Misnamed/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('through the gateway with a partner API key', () => {
    let stack: TestStack;
    let partnerKey: string;
    let receiver: http.Server;
    let receiverUrl: string;
    const received: { id: string; event: PlatformEvent }[] = [];
    let adminToken: string;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const admin = async (query: string, variables: Record<string, unknown>): Promise<any> => {
      const response = await stack.graphql(query, variables, adminToken);
      if (!response.data) throw new Error(JSON.stringify(response.errors));
      return response.data;
    };
    const north = demoAccount('north').id;
    const idOf = (name: string) => committed.operations.find((operation) => operation.name === name)!.id;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const run = async (name: string, variables: Record<string, unknown>): Promise<any> => {
      const response = await request(stack.gatewayUrl, { body: { documentId: `sha256:${idOf(name)}`, variables }, headers: { authorization: `Bearer ${partnerKey}` } });
      const body = response.body as { data?: unknown; errors?: unknown[] };
      expect(`${name}: ${JSON.stringify(body.errors ?? [])}`).toBe(`${name}: []`);
      return body.data;
    };

    beforeAll(async () => {
      stack = await startTestStack({ env: { PARTNER_OPERATION_CACHE_TTL_SECONDS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true', WEBHOOK_DISPATCH_INTERVAL_MS: '100' } });
      adminToken = await stack.login('north.admin@retail.example');
      const appId = (await admin(`mutation($a: ID!) { registerPartnerApp(accountId: $a, name: "Partner kit") { id } }`, { a: north })).registerPartnerApp.id;
      const uploaded = await admin(`mutation($app: ID!, $m: JSON!) { uploadPartnerManifest(appId: $app, manifest: $m) { operationCount } }`, { app: appId, m: committed });
      expect(uploaded.uploadPartnerManifest.operationCount).toBe(PARTNER_OPERATIONS.length);
      for (const n of [1, 2, 3, 4, 5]) await admin(`mutation($a: ID!, $input: ContactInput!) { createContact(accountId: $a, input: $input) { id } }`, { a: north, input: { phoneNumber: `+44740090010${n}`, firstName: `Kit ${n}` } });
      // The README's webhook receiver example, registered for account.created events of north's subtree.
      let handler: http.RequestListener = () => undefined;
      receiver = http.createServer((request, response) => handler(request, response));
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
      const endpoint = await admin(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`, { input: { accountId: north, url: receiverUrl, eventTypes: ['account.created'], includeSubAccounts: true } });
      handler = webhookReceiver(endpoint.createWebhookEndpoint.secret, (event, id) => received.push({ id, event }));
      partnerKey = (await admin(`mutation($a: ID!, $app: ID) { createApiKey(accountId: $a, name: "partner kit", role: ADMIN, partnerAppId: $app) { key } }`, { a: north, app: appId })).createApiKey.key;
    });
    afterAll(async () => {
      receiver?.close();
      await stack?.close();
    });

    it('sends a message by documentId, then reads its status, the inbox, a usage report and every contact page by page', async () => {
      // Act
      const sent = (await run('SendMessage', { input: { accountId: north, to: '+447400900001', body: 'Partner kit', idempotencyKey: 'partner-kit-0001' } })).sendMessage;
      const status = (await run('MessageStatus', { accountId: north, batchId: sent.batchId })).messages;
      const inbox = (await run('Inbox', { accountId: north, first: 5 })).inbox;
      const today = new Date().toISOString().slice(0, 10);
      const usage = (await run('UsageReport', { accountId: north, from: today, to: today })).account.usage;
      const pages: { nodes: { id: string }[]; totalCount: number }[] = [];
      let after: string | null = null;
      do {
        const page: { nodes: { id: string }[]; totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null } } = (await run('ContactsSync', { accountId: north, first: 2, after })).contacts;
        pages.push(page);
        after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      } while (after && pages.length < 100);

      // Assert
      expect(sent.accepted).toBe(1);
      expect(status.nodes.map((message: { id: string }) => message.id)).toEqual(sent.messageIds);
      expect(status.nodes[0].recipient).toBe('+447400900001');
      expect(Array.isArray(inbox.nodes)).toBe(true);
      expect(usage.totals.messages).toBeGreaterThanOrEqual(0);
      const contactIds = pages.flatMap((page) => page.nodes.map((contact) => contact.id));
      expect(pages.length).toBeGreaterThan(1);
      expect(new Set(contactIds).size).toBe(contactIds.length);
      expect(contactIds.length).toBe(pages[0].totalCount);
    });

    it("the webhook receiver example verifies the platform's signed deliveries and refuses a forged one", async () => {
      // Arrange
      const child = (await admin(`mutation($parentId: ID!) { createSubAccount(input: { parentId: $parentId, name: "Webhook kit" }) { id } }`, { parentId: north })).createSubAccount;
      const forged = JSON.stringify({ type: 'account.created', timestamp: new Date().toISOString(), data: { accountId: north } });

      // Act
      const deadline = Date.now() + 30_000;
      const ofThisAccount = () => received.filter(({ event }) => event.type === 'account.created' && event.data.accountId === child.id);
      while (ofThisAccount().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
      const forgedAnswer = await fetch(receiverUrl, {
        method: 'POST',
        body: forged,
        headers: { 'content-type': 'application/json', 'webhook-id': 'msg_forged', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')}` },
      });

      // Assert
      expect(ofThisAccount()).toHaveLength(1);
      expect(forgedAnswer.status).toBe(400);
      expect(received.some(({ id }) => id === 'msg_forged')).toBe(false);
    });
  });
});
