import http from 'node:http';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { postGraphQL } from '@platform/testing';
import { deadUrl, startExtraGateway, type ExtraGateway } from './extra-gateway';


/** A subgraph in trouble: every request answers 503 with an HTML page. */
async function failingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_request, response) => {
    response.writeHead(503, { 'content-type': 'text/html' });
    response.end('<html>upstream connect error at 10.0.0.7</html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('a subgraph that cannot answer (issue 14 item 4)', () => {
  let stack: TestStack;
  let token: string;
  const closers: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    stack = await startTestStack();
    token = await stack.login('hq.admin@retail.example');
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await stack.close();
  });

  it.each([
    ['unreachable', async () => deadUrl()],
    ['answering 503', async () => {
      const failing = await failingServer();
      closers.push(failing.close);
      return failing.url;
    }],
  ])('billing %s: its fields fail with SERVICE_UNAVAILABLE naming billing, without internal text; the other subgraphs still answer', async (_case, billingUrl) => {
    // Arrange
    const gateway: ExtraGateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, billing: await billingUrl() } });
    closers.push(gateway.close);
    const ask = (query: string) => postGraphQL<{ accountTree: { name: string }[] }>(gateway.url, { query }, { authorization: `Bearer ${token}` });

    // Act
    const withBilling = await ask('{ accountTree { name balance } }');
    const withoutBilling = await ask('{ accountTree { name messageCount } }');

    // Assert
    expect(withBilling.status).toBe(200);
    expect(withBilling.errors?.length).toBeGreaterThan(0);
    for (const error of withBilling.errors ?? []) {
      expect(error.extensions).toMatchObject({ code: 'SERVICE_UNAVAILABLE', service: 'billing', retryable: true });
      expect(JSON.stringify(error)).not.toMatch(/fetch failed|ECONNREFUSED|127\.0\.0\.1|10\.0\.0\.7|<html>/);
    }
    expect(withoutBilling.errors).toBeUndefined();
    expect(withoutBilling.data?.accountTree.length).toBeGreaterThan(10);
  });
});
