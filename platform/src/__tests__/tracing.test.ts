import http from 'node:http';
import { Pool } from 'pg';
import { loadConfig } from '@platform/config';
import { createTestDatabase, type TestDatabase } from '@platform/db';
import { demoAccount } from '@platform/demo-data';
import { expectNoErrors, postGraphQL } from '@platform/testing';
import { start, stop } from './npm-start-process';

interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
  links?: { traceId: string; spanId: string }[];
  service: string;
}

const SERVER = 2;
const CLIENT = 3;
const CONSUMER = 5;

/** An OTLP/HTTP (JSON) trace receiver, as a collector would be. */
async function startCollector(): Promise<{ url: string; spans: ExportedSpan[]; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const payload = JSON.parse(body) as { resourceSpans: { resource: { attributes: ExportedSpan['attributes'] }; scopeSpans: { spans: Omit<ExportedSpan, 'service'>[] }[] }[] };
      for (const resourceSpans of payload.resourceSpans) {
        const service = resourceSpans.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '';
        for (const scope of resourceSpans.scopeSpans) for (const span of scope.spans) spans.push({ ...span, service });
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}/v1/traces`, spans, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

const attribute = (span: ExportedSpan, ...keys: string[]) => {
  for (const key of keys) {
    const value = span.attributes.find((a) => a.key === key)?.value;
    if (value) return String(value.stringValue ?? value.intValue);
  }
  return undefined;
};

describe('OpenTelemetry tracing (issue 16)', () => {
  let database: TestDatabase;
  let collector: Awaited<ReturnType<typeof startCollector>>;

  beforeAll(async () => {
    database = await createTestDatabase(loadConfig({ ...process.env, NODE_ENV: 'test' }).databaseUrl!);
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.close();
    await database?.drop();
  });

  it('one send is one trace: the gateway, the messaging subgraph, its call to billing and their SQL share the trace id, each server span a child of its caller; the delivery continues it from the queued message', async () => {
    // Arrange
    const platform = await start(database.url, {
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '100',
      OTEL_SERVICE_NAME: 'platform-under-test',
    });
    try {
      const login = expectNoErrors(await postGraphQL<{ login: { token: string } }>(platform.gatewayUrl, { query: 'mutation { login(email: "accountant@acme.example", password: "demo-password") { token } }' }));

      // Act
      const sent = await postGraphQL<{ sendMessage: { batchId: string; messageIds: string[] } }>(
        platform.gatewayUrl,
        { query: 'mutation Send($a: ID!) { sendMessage(input: { accountId: $a, to: "+447400123456", body: "traced" }) { batchId messageIds } }', variables: { a: demoAccount('acme').id } },
        { authorization: `Bearer ${login.login.token}` },
      );
      // the platform's delivery worker hands the message to the carrier (acme has no sending window: it is sent at once)
      const sql = new Pool({ connectionString: database.url, max: 1 });
      try {
        const delivered = async () => (await sql.query(`SELECT 1 FROM messaging.messages WHERE id = $1 AND status NOT IN ('QUEUED', 'SCHEDULED')`, [expectNoErrors(sent).sendMessage.messageIds[0]])).rowCount === 1;
        while (!(await delivered())) await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        await sql.end();
      }
    } finally {
      await stop(platform);
    }

    // Assert
    const port = (span: ExportedSpan) => Number(attribute(span, 'server.port', 'net.host.port', 'net.peer.port'));
    const gatewaySend = collector.spans.find((span) => span.kind === SERVER && port(span) === platform.ports.PORT && collector.spans.some((other) => other.traceId === span.traceId && port(other) === platform.ports.BILLING_PORT));
    expect(gatewaySend).toBeDefined();
    const trace = collector.spans.filter((span) => span.traceId === gatewaySend!.traceId);
    const byId = new Map(trace.map((span) => [span.spanId, span]));
    const serverSpanOn = (subgraphPort: number) => trace.find((span) => span.kind === SERVER && port(span) === subgraphPort);
    for (const subgraphPort of [platform.ports.MESSAGING_PORT, platform.ports.BILLING_PORT]) {
      const serverSpan = serverSpanOn(subgraphPort);
      expect(serverSpan).toBeDefined();
      // propagated by traceparent: the server span's parent is the caller's outgoing (client) span
      expect(byId.get(serverSpan!.parentSpanId!)?.kind).toBe(CLIENT);
    }
    // the gateway's call to messaging runs inside the gateway's span of that subgraph fetch (one per fetch)
    const gatewayCall = byId.get(serverSpanOn(platform.ports.MESSAGING_PORT)!.parentSpanId!)!;
    expect(byId.get(gatewayCall.parentSpanId!)).toMatchObject({ name: 'gateway.fetch', attributes: expect.arrayContaining([{ key: 'graphql.subgraph.name', value: { stringValue: 'messaging' } }]) });
    expect(trace.some((span) => attribute(span, 'db.system', 'db.system.name') === 'postgresql')).toBe(true);
    expect(new Set(trace.map((span) => span.service))).toEqual(new Set(['platform-under-test']));
    // the delivery, in another round of another job, continues the send's trace through the message's stored traceparent
    const delivery = trace.find((span) => span.name === 'messaging deliver');
    expect(delivery).toMatchObject({ kind: CONSUMER, links: [expect.objectContaining({ traceId: gatewaySend!.traceId })] });
    expect(byId.get(delivery!.parentSpanId!)).toMatchObject({ kind: SERVER });
    expect(port(byId.get(delivery!.parentSpanId!)!)).toBe(platform.ports.MESSAGING_PORT);
    // the carrier call's SQL (loopback) and the status update run inside the delivery span
    expect(trace.filter((span) => span.parentSpanId === delivery!.spanId && attribute(span, 'db.system', 'db.system.name') === 'postgresql').length).toBeGreaterThanOrEqual(2);
  });
});
