import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { SUBGRAPH_NAMES } from '@platform/config';
import { startSubgraph, type Logger } from '@platform/server';
import { SUBGRAPHS } from '@platform/platform';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { startExtraGateway } from './extra-gateway';
import { request } from './http-client';

// Starting a stack migrates a throwaway database; with suites in parallel that can exceed jest's 5 s default.
jest.setTimeout(30_000);

function capturingLogger(name: string): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const logger = pino({ name, level: 'info' }, { write: (line: string) => { raw.push(line); lines.push(JSON.parse(line)); } });
  return { logger, lines, text: () => raw.join('') };
}

/** A subgraph stand-in that holds every GraphQL request until `release()`; `received` resolves when one arrives. */
function startHeldSubgraph() {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let markReceived!: () => void;
  const received = new Promise<void>((resolve) => (markReceived = resolve));
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      markReceived();
      await released;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { accountTree: [] } }));
    });
  });
  return new Promise<{ url: string; received: Promise<void>; release: () => void; close: () => Promise<void> }>((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
        received,
        release,
        close: () => new Promise((done) => server.close(() => done())),
      }),
    ),
  );
}

describe('operability (SPEC G5)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('the gateway and every subgraph answer /health and /ready', async () => {
    // Arrange
    const origins = [stack.gatewayUrl, ...SUBGRAPH_NAMES.map((name) => stack.subgraphUrls[name])].map((url) => new URL(url).origin);

    // Act
    const responses = await Promise.all(origins.flatMap((origin) => [request(`${origin}/health`), request(`${origin}/ready`)]));

    // Assert
    expect(responses.map((r) => r.status)).toEqual(origins.flatMap(() => [200, 200]));
    expect(responses.map((r) => r.body.status)).toEqual(origins.flatMap(() => ['ok', 'ready']));
  });

  it('a subgraph outage keeps the gateway ready (its fields fail alone) and shows on /health/subgraphs and subgraph_up (issue 16)', async () => {
    // Arrange
    const gone = await startHeldSubgraph();
    await gone.close();
    const gateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, billing: gone.url } });

    try {
      // Act
      const health = await request(new URL('/health', gateway.url).toString());
      const ready = await request(new URL('/ready', gateway.url).toString());
      const subgraphs = await request(new URL('/health/subgraphs', gateway.url).toString());
      const metrics = await (await fetch(new URL('/metrics', gateway.url))).text();

      // Assert
      expect(health.status).toBe(200);
      expect(ready.status).toBe(200);
      expect(ready.body.status).toBe('ready');
      expect(subgraphs.status).toBe(503);
      expect(subgraphs.body.subgraphs).toEqual({ 'account-hierarchy': 'up', identity: 'up', messaging: 'up', billing: 'down' });
      expect(metrics).toMatch(/^subgraph_up\{subgraph="billing"\} 0$/m);
      expect(metrics).toMatch(/^subgraph_up\{subgraph="identity"\} 1$/m);
    } finally {
      await gateway.close();
    }
  });

  it('one JSON log line per request, on the gateway and the subgraph, with the same x-request-id and no secret', async () => {
    // Arrange
    const gatewayLog = capturingLogger('gateway');
    const subgraphLog = capturingLogger('account-hierarchy');
    const dataSource = SUBGRAPHS['account-hierarchy'].createDataSource(stack.database.url, { poolSize: 2 });
    await dataSource.initialize();
    const subgraph = await startSubgraph(SUBGRAPHS['account-hierarchy'], { config: stack.config, dataSource, port: 0, logger: subgraphLog.logger });
    const gateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, 'account-hierarchy': subgraph.url }, logger: gatewayLog.logger });
    const token = await stack.login('north.admin@retail.example');

    try {
      // Act
      const response = await request(gateway.url, {
        body: { query: 'query Traced { accountTree { id name } }' },
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'trace-0042' },
      });
      const forged = await request(gateway.url, { body: { query: '{ __typename }' }, headers: { 'x-request-id': 'x {"level":60}' } });

      // Assert
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBe('trace-0042');
      const gatewayLine = gatewayLog.lines.filter((line) => line.requestId === 'trace-0042');
      expect(gatewayLine).toEqual([expect.objectContaining({ msg: 'request', status: 200, method: 'POST', operationName: 'Traced', durationMs: expect.any(Number) })]);
      const subgraphLines = subgraphLog.lines.filter((line) => line.requestId === 'trace-0042');
      expect(subgraphLines.length).toBeGreaterThan(0);
      expect(subgraphLines[0]).toMatchObject({ msg: 'request', status: 200, durationMs: expect.any(Number) });
      expect(forged.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      expect(gatewayLog.text() + subgraphLog.text()).not.toContain(token);
      expect(gatewayLog.text() + subgraphLog.text()).not.toContain(stack.config.internalSigningSecret);
    } finally {
      await gateway.close();
      await subgraph.close();
      await dataSource.destroy();
    }
  });

  it('closing the gateway lets an in-flight request finish and refuses new connections', async () => {
    // Arrange
    const held = await startHeldSubgraph();
    const gateway = await startExtraGateway(stack, stack.config, { subgraphUrls: { ...stack.subgraphUrls, 'account-hierarchy': held.url } });
    const inFlight = request(gateway.url, { body: { query: '{ accountTree { id } }' } });
    await held.received;

    // Act
    let closed = false;
    const closing = gateway.close().then(() => (closed = true));
    await new Promise((resolve) => setImmediate(resolve));
    const closedBeforeRelease = closed;
    const refused = await request(gateway.url, { body: { query: '{ __typename }' } }).then(
      () => 'answered',
      () => 'refused',
    );
    held.release();
    const response = await inFlight;
    await closing;
    await held.close();

    // Assert
    expect(closedBeforeRelease).toBe(false);
    expect(refused).toBe('refused');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: { accountTree: [] } });
    expect(closed).toBe(true);
  });

  it('the explorer is served to browsers only when enabled (development)', async () => {
    // Arrange
    const withExplorer = await startExtraGateway(stack, { ...stack.config, gateway: { ...stack.config.gateway, explorer: true } });
    const withoutExplorer = await startExtraGateway(stack, { ...stack.config, gateway: { ...stack.config.gateway, explorer: false } });

    try {
      // Act
      const page = await request(withExplorer.url, { headers: { accept: 'text/html' } });
      const noPage = await request(withoutExplorer.url, { headers: { accept: 'text/html' } });
      const assets = await Promise.all(
        ['react.js', 'react-dom.js', 'graphiql.js', 'graphiql.css'].map((file) => fetch(new URL(`/explorer/${file}`, withExplorer.url))),
      );
      const graphiqlBundle = await assets[2].text();
      const noAsset = await fetch(new URL('/explorer/graphiql.js', withoutExplorer.url));

      // Assert
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.body).toContain('GraphQL explorer');
      expect(page.body).toContain('/explorer/graphiql.js');
      expect(assets.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(graphiqlBundle).toContain('GraphiQL');
      expect(String(noPage.body)).not.toContain('<html');
      expect(noAsset.status).not.toBe(200);
    } finally {
      await withExplorer.close();
      await withoutExplorer.close();
    }
  });
});
