import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { subgraphFetcher } from '../subgraph-fetcher';

describe("the gateway's fetcher to its subgraphs", () => {
  let server: http.Server;
  let url: string;
  const connections: unknown[] = [];
  const received: { headers: http.IncomingHttpHeaders; body: string }[] = [];

  beforeAll(async () => {
    server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = request.url === '/down' ? 503 : 200;
        response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
        response.end(JSON.stringify({ data: { echo: 'é' } }));
      });
    });
    server.on('connection', (socket) => connections.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  }));

  it('posts the body and headers, answers status, headers and JSON, and keeps the connection alive', async () => {
    // Act
    const first = await subgraphFetcher(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-platform-principal': 'token' }, body: '{"query":"{ echo }"}' });
    const second = await subgraphFetcher(`${url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const down = await subgraphFetcher(`${url}/down`, { method: 'POST', body: '{}' });

    // Assert
    expect(first.ok).toBe(true);
    expect(first.status).toBe(200);
    expect(first.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(first.headers.has('cache-control')).toBe(true);
    expect([...first.headers]).toEqual(expect.arrayContaining([['cache-control', 'no-store']]));
    expect(await first.json()).toEqual({ data: { echo: 'é' } });
    expect(received[0].headers['x-platform-principal']).toBe('token');
    expect(received[0].body).toBe('{"query":"{ echo }"}');
    expect(await second.text()).toBe('{"data":{"echo":"é"}}');
    expect(down.ok).toBe(false);
    expect(down.status).toBe(503);
    expect(connections).toHaveLength(1);
  });

  it('rejects when the subgraph cannot be reached', async () => {
    // Arrange
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    // Act
    const failure = await subgraphFetcher(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' }).then(() => null, (error: Error) => error);

    // Assert
    expect(failure).toBeInstanceOf(Error);
  });
});
