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
