import type { Sql } from '@platform/db';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';

import { publishEvent, type EventType } from '@platform/events';
import type { TestStack } from '@platform/platform/testing';
import { createMessagingDataSource } from '../../data-source';
import { WebhookDispatcher, type WebhookDispatcherOptions } from '../dispatcher';
import type { Clock } from '../schedule';

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** What the receiver answers a request: an HTTP status, or 'hang' (never answers). */
export type Responder = (request: ReceivedRequest, index: number) => number | 'hang';

/** A webhook receiver on port 0 (node:http) that records every request it gets. */
export async function startReceiver() {
  const requests: ReceivedRequest[] = [];
  let responder: Responder = () => 200;
  let waiters: { count: number; resolve: () => void }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = { path: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      const action = responder(request, requests.length - 1);
      if (action !== 'hang') res.writeHead(action, { 'content-type': 'text/plain' }).end('ok');
      waiters = waiters.filter((w) => (requests.length >= w.count ? (w.resolve(), false) : true));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    requests,
    to: (path: string) => requests.filter((r) => r.path === path),
    respondWith(next: Responder) {
      responder = next;
    },
    /** Resolves once `count` requests have arrived (an event, not a timer). */
    waitFor: (count: number) => new Promise<void>((resolve) => (requests.length >= count ? resolve() : waiters.push({ count, resolve }))),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * Standard Webhooks verification, written from the specification independently of the
 * platform's signing code: HMAC-SHA256 over `${webhook-id}.${webhook-timestamp}.${body}` with the
 * base64-decoded secret after `whsec_`, base64 signatures prefixed `v1,`, space-separated.
 */
export function verifyStandardWebhook(secret: string, request: ReceivedRequest): boolean {
  const id = request.headers['webhook-id'];
  const timestamp = request.headers['webhook-timestamp'];
  const header = request.headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof header !== 'string' || !/^\d+$/.test(timestamp)) return false;
  if (!secret.startsWith('whsec_')) return false;
  const expected = crypto.createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${request.body}`).digest();
  return header.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    if (version !== 'v1' || !signature) return false;
    const given = Buffer.from(signature, 'base64');
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

/** A clock the test moves by hand. */
export class FakeClock implements Clock {
  private current: number;
  constructor(start = Date.now()) {
    this.current = start;
  }
  now(): Date {
    return new Date(this.current);
  }
  advance(ms: number): void {
    this.current += ms;
  }
  /** Back to the wall clock (plus a second), e.g. at the start of a test. */
  reset(): void {
    this.current = Date.now() + 1_000;
  }
  /** Never behind the database's now() (replays and rotations are stamped with it). */
  catchUp(): void {
    this.current = Math.max(this.current, Date.now() + 1_000);
  }
}

export const queryable = (stack: TestStack): Sql => stack.db;

/** Publishes an event the way a subgraph does (a committed outbox row of its schema). */
export async function publish(stack: TestStack, schema: string, type: EventType, accountId: string, data: Record<string, unknown> = {}) {
  return publishEvent(queryable(stack), schema, { type, accountId, data });
}

/** A dispatcher of the test's own, on its own pool, with an injected clock and a fixed jitter. */
export async function createTestDispatcher(stack: TestStack, options: Partial<WebhookDispatcherOptions> = {}): Promise<{ dispatcher: WebhookDispatcher; clock: FakeClock; dataSource: DataSource }> {
  const dataSource = createMessagingDataSource(stack.database.url, { poolSize: 4 });
  await dataSource.initialize();
  const clock = (options.clock as FakeClock | undefined) ?? new FakeClock();
  const dispatcher = new WebhookDispatcher(dataSource, { settings: stack.config.webhooks, production: false, random: () => 0.5, ...options, clock });
  return { dispatcher, clock, dataSource };
}

export async function createEndpoint(
  stack: TestStack,
  token: string,
  input: { accountId: string; url: string; eventTypes: string[]; includeSubAccounts?: boolean },
): Promise<{ id: string; secret: string }> {
  const response = await stack.graphql(
    `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret endpoint { id } } }`,
    { input },
    token,
  );
  if (!response.data?.createWebhookEndpoint) throw new Error(`createWebhookEndpoint failed: ${JSON.stringify(response.errors)}`);
  return { id: response.data.createWebhookEndpoint.endpoint.id, secret: response.data.createWebhookEndpoint.secret };
}

export const ENDPOINT_FIELDS = `id status disabledReason deliveries { nodes { id webhookId status attemptCount nextAttemptAt lastResponseStatus attempts { nodes { number responseStatus latencyMs succeeded error } } } }`;

/**
 * Relays until the relay's cursor has passed every committed outbox row. The relay only takes rows of
 * transactions older than every writing transaction still running on the cluster (other suites
 * share it), so a round may legitimately relay later rows on its next pass; this waits for that
 * condition, it asserts nothing about time.
 */
export async function relayEverything(dispatcher: WebhookDispatcher, stack: TestStack): Promise<void> {
  for (;;) {
    await dispatcher.relay();
    const { rows } = await stack.sql.query(
      `SELECT table_schema FROM information_schema.tables WHERE table_name = 'outbox' AND table_schema IN ('hierarchy', 'identity', 'messaging', 'billing')`,
    );
    let pending = 0;
    for (const { table_schema } of rows) {
      // Past the relay's cursor (relayed events no endpoint receives are not kept in webhook_events).
      const result = await stack.sql.query(
        `SELECT count(*)::int AS n FROM ${table_schema}.outbox o
          WHERE NOT EXISTS (SELECT 1 FROM messaging.webhook_relay_cursors c WHERE c.source_schema = $1 AND (o.txid, o.seq) <= (c.last_txid, c.last_seq))`,
        [table_schema],
      );
      pending += result.rows[0].n;
    }
    if (pending === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** One dispatcher round once everything published so far is relayed: the number of attempts made. */
export async function dispatchRound(dispatcher: WebhookDispatcher, stack: TestStack): Promise<number> {
  await relayEverything(dispatcher, stack);
  return dispatcher.deliverDue();
}
