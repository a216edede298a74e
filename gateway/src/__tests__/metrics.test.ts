import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { expectError, expectNoErrors } from '@platform/testing';

/** The value of one series in a Prometheus text exposition, or undefined. */
function sample(exposition: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([key, value]) => `${key}="${value}"`);
  for (const line of exposition.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const present = (match[2] ?? '').split(/,(?=[a-zA-Z_]+=")/);
    if (wanted.every((label) => present.includes(label))) return Number(match[3]);
  }
  return undefined;
}

describe('Prometheus metrics (issue 16)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(() => stack.close());

  it('after requests, /metrics answers request durations by operation and outcome, error codes, pools and subgraph fetches', async () => {
    // Arrange
    const token = await stack.login('hq.admin@retail.example');
    expectNoErrors(await stack.graphql('query DashboardTree { accountTree { name balance } }', {}, token));
    expectError(await stack.graphql('query MissingAccount($id: ID!) { account(id: $id) { name } }', { id: 'not-an-id' }, token), 'BAD_USER_INPUT');

    // Act
    const response = await fetch(new URL('/metrics', stack.gatewayUrl));
    const exposition = await response.text();

    // Assert
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(sample(exposition, 'graphql_request_duration_seconds_count', { service: 'gateway', operation: 'DashboardTree', outcome: 'success' })).toBe(1);
    expect(sample(exposition, 'graphql_request_duration_seconds_count', { service: 'gateway', operation: 'MissingAccount', outcome: 'error' })).toBe(1);
    expect(sample(exposition, 'graphql_errors_total', { service: 'gateway', code: 'BAD_USER_INPUT' })).toBeGreaterThanOrEqual(1);
    // the subgraph sees the gateway's fetch, named after the client's operation
    expect(exposition).toMatch(/^graphql_request_duration_seconds_count\{service="billing",operation="DashboardTree__billing__\d+",outcome="success"\} 1$/m);
    expect(sample(exposition, 'subgraph_fetch_duration_seconds_count', { subgraph: 'billing', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sample(exposition, 'db_pool_connections', { service: 'account-hierarchy', state: 'idle' })).toBeGreaterThanOrEqual(1);
    expect(sample(exposition, 'db_pool_connections', { service: 'gateway', state: 'waiting' })).toBe(0);
    expect(sample(exposition, 'process_resident_memory_bytes', {})).toBeGreaterThan(10_000_000);
  });

  it('client-chosen operation names cannot grow the series without bound', async () => {
    // Arrange
    const names = Array.from({ length: 230 }, (_, i) => `Probe${i}`);

    // Act
    for (const name of names) await stack.graphql(`query ${name} { __typename }`);
    const exposition = await (await fetch(new URL('/metrics', stack.gatewayUrl))).text();

    // Assert
    const gatewayOperations = new Set([...exposition.matchAll(/graphql_request_duration_seconds_count\{service="gateway",operation="([^"]+)"/g)].map((match) => match[1]));
    expect(gatewayOperations.size).toBeLessThanOrEqual(201);
    expect(gatewayOperations.has('(other)')).toBe(true);
  });
});

describe('domain series on /metrics (issue 16)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // No delivery worker: what is sent stays in the queue for the scrape to see.
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' } });
  });
  afterAll(() => stack.close());

  it('the delivery queue, the webhook backlog and the credit held show what a send left behind', async () => {
    // Arrange
    const token = await stack.login('accountant@acme.example');
    const scrape = async () => (await fetch(new URL('/metrics', stack.gatewayUrl))).text();
    const before = await scrape();

    // Act
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { sendBulk(input: { accountId: $a, to: ["+447400100001", "+447400100002", "+447400100003"], body: "queued" }) { batchId } }`, { a: demoAccount('acme').id }, token));
    const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();
    const scheduled = expectNoErrors(await stack.graphql(`mutation($a: ID!, $at: DateTime) { sendBulk(input: { accountId: $a, to: ["+447400100004"], body: "later", scheduledAt: $at }) { batchId } }`, { a: demoAccount('acme').id, at: inAWeek }, token));
    const after = await scrape();

    // Assert
    expect(sample(before, 'delivery_queue_messages', {})).toBe(0);
    expect(sample(after, 'delivery_queue_messages', {})).toBe(3);
    expect(sample(after, 'delivery_queue_oldest_seconds', {})).toBeGreaterThanOrEqual(0);
    expect(sample(after, 'webhook_deliveries_pending', {})).toBe(0);
    expect(sample(after, 'webhook_endpoints_disabled', {})).toBe(0);
    // the scheduled send holds its credit until it is due
    expect(scheduled.sendBulk.batchId).toEqual(expect.any(String));
    expect(sample(after, 'credit_reservations_held', {})).toBeGreaterThanOrEqual(1);
    expect(sample(after, 'credit_reservation_units_held', {})).toBeGreaterThanOrEqual(1);
  });
});

describe('delivery, webhook and refusal series on /metrics (issue 16)', () => {
  let stack: TestStack;
  let receiver: http.Server;
  const statuses: string[] = [];
  let sawBoth: () => void;
  const sentAndDelivered = new Promise<void>((resolve) => (sawBoth = resolve));

  beforeAll(async () => {
    receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const status = (JSON.parse(body) as { data: { status: string } }).data.status;
        statuses.push(status);
        // SENT is refused (its retry comes 15 s later, after the test); everything else is taken
        response.writeHead(status === 'SENT' ? 500 : 204).end();
        if (statuses.includes('SENT') && statuses.includes('DELIVERED')) sawBoth();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    stack = await startTestStack({
      env: {
        WEBHOOK_ALLOW_LOOPBACK_URLS: 'true',
        WEBHOOK_DISPATCH_INTERVAL_MS: '50',
        LOOPBACK_RECEIPT_DELAY_MS: '0',
        RATE_LIMIT_PER_IP: '40',
        RATE_LIMIT_WINDOW_SECONDS: '3600',
        TRUST_PROXY: 'true',
        REDIS_URL: '',
      },
    });
  });
  afterAll(async () => {
    await stack?.close();
    receiver.closeAllConnections();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it('a delivered send and its status webhooks show as carrier calls and webhook attempts; a rate-limited client as RATE_LIMITED', async () => {
    // Arrange
    const token = await stack.login('accountant@acme.example');
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
    expectNoErrors(await stack.graphql(`mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`, { input: { accountId: demoAccount('acme').id, url, eventTypes: ['message.status'] } }, token));
    const probe = (address: string) => fetch(new URL('/graphql', stack.gatewayUrl), { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': address }, body: '{"query":"{ __typename }"}' });

    // Act
    expectNoErrors(await stack.graphql(`mutation($a: ID!) { sendMessage(input: { accountId: $a, to: "+447400100009", body: "measured" }) { batchId } }`, { a: demoAccount('acme').id }, token));
    await sentAndDelivered;
    const refusals: number[] = [];
    for (let i = 0; i < 41; i++) refusals.push((await probe('198.51.100.7')).status);
    // an attempt is counted once its outcome is recorded, just after the receiver has answered it
    const counted = (exposition: string) => (sample(exposition, 'webhook_attempts_total', { outcome: 'succeeded' }) ?? 0) + (sample(exposition, 'webhook_attempts_total', { outcome: 'failed' }) ?? 0);
    const scrape = async () => (await fetch(new URL('/metrics', stack.gatewayUrl))).text();
    let exposition = await scrape();
    while (counted(exposition) < statuses.length) exposition = await scrape();

    // Assert
    expect(refusals.filter((status) => status === 429)).toHaveLength(1);
    expect(sample(exposition, 'carrier_requests_total', { carrier: 'loopback', outcome: 'success' })).toBeGreaterThanOrEqual(1);
    expect(sample(exposition, 'carrier_requests_total', { carrier: 'loopback', outcome: 'error' }) ?? 0).toBe(0);
    expect(sample(exposition, 'carrier_request_duration_seconds_count', { carrier: 'loopback', outcome: 'success' })).toBe(sample(exposition, 'carrier_requests_total', { carrier: 'loopback', outcome: 'success' }));
    expect(sample(exposition, 'carrier_request_duration_seconds_sum', { carrier: 'loopback', outcome: 'success' })).toBeGreaterThan(0);
    expect(sample(exposition, 'carrier_messages_total', { carrier: 'loopback', outcome: 'accepted' })).toBe(1);
    const refused = statuses.filter((status) => status === 'SENT').length;
    expect(sample(exposition, 'webhook_attempts_total', { outcome: 'failed' })).toBe(refused);
    expect(sample(exposition, 'webhook_attempts_total', { outcome: 'succeeded' })).toBe(statuses.length - refused);
    expect(sample(exposition, 'webhook_attempts_total', { outcome: 'unreachable' }) ?? 0).toBe(0);
    expect(sample(exposition, 'webhook_attempt_duration_seconds_count', { outcome: 'failed' })).toBe(refused);
    expect(sample(exposition, 'delivery_queue_messages', {})).toBe(0);
    expect(sample(exposition, 'webhook_endpoints_disabled', {})).toBe(0);
    expect(sample(exposition, 'graphql_errors_total', { service: 'gateway', code: 'RATE_LIMITED' })).toBe(1);
  });
});
