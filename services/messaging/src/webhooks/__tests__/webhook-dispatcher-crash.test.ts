import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import type { WebhookDispatcher } from '../dispatcher';
import { createEndpoint, createTestDispatcher, FakeClock, publish, relayEverything, startReceiver, verifyStandardWebhook, type Receiver } from './webhook-kit';

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');

describe('webhook dispatcher killed mid-run (SPEC M10: at-least-once)', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let child: ChildProcess | undefined;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ env: { WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
    receiver = await startReceiver();
  });
  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await dataSource?.destroy();
    await receiver?.close();
    await stack?.close();
  });

  it('loses no event: a new dispatcher redelivers what the killed one had in flight, with the same webhook-ids', async () => {
    // Arrange: 12 events for one endpoint; the receiver answers 4 requests, then stops answering
    const north = demoAccount('north').id;
    const token = await stack.login(demoUser('north-admin').email);
    const { secret } = await createEndpoint(stack, token, { accountId: north, url: receiver.url('/crash'), eventTypes: ['message.status'] });
    const events = [];
    for (let i = 0; i < 12; i++) events.push(await publish(stack, 'messaging', 'message.status', north, { messageId: `m-${i}`, status: 'SENT' }));
    const eventIds = new Set(events.map((e) => e.id));
    receiver.respondWith((_request, index) => (index < 4 ? 200 : 'hang'));

    // Act 1: a real dispatcher process, SIGKILLed while requests hang in flight
    // node itself with tsx's loader: the tsx CLI would run the dispatcher in a grandchild that SIGKILL misses.
    child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-webhook-dispatcher.ts'], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: stack.database.url, WEBHOOK_ALLOW_LOOPBACK_URLS: 'true', WEBHOOK_DISPATCH_INTERVAL_MS: '20', LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child!.on('exit', (_code, signal) => resolve(signal)));
    await receiver.waitFor(6);
    child.kill('SIGKILL');
    const signal = await exited;
    const inFlightAtKill = receiver.requests.slice(4).map((r) => r.headers['webhook-id'] as string);
    const beforeRestart = receiver.requests.length;

    // Act 2: a new dispatcher once the dead one's claims have expired
    receiver.respondWith(() => 200);
    const test = await createTestDispatcher(stack);
    dataSource = test.dataSource;
    const dispatcher: WebhookDispatcher = test.dispatcher;
    (test.clock as FakeClock).advance(dispatcher.leaseMs + 1_000);
    await relayEverything(dispatcher, stack);
    for (let round = 0; round < 10 && (await dispatcher.deliverDue()) > 0; round++);
    const { rows: deliveries } = await stack.sql.query(`SELECT event_id, status FROM messaging.webhook_deliveries`);

    // Assert
    expect(signal).toBe('SIGKILL');
    expect(inFlightAtKill.length).toBeGreaterThanOrEqual(2);
    const received = receiver.to('/crash');
    const receivedIds = received.map((r) => r.headers['webhook-id'] as string);
    expect(new Set(receivedIds)).toEqual(eventIds); // every event at least once, and no id that is not an event's
    const afterRestart = receiver.requests.slice(beforeRestart).map((r) => r.headers['webhook-id'] as string);
    for (const id of inFlightAtKill) expect(afterRestart).toContain(id); // the hung ones were redelivered, same id
    expect(received.every((r) => verifyStandardWebhook(secret, r))).toBe(true);
    for (const id of eventIds) expect(new Set(received.filter((r) => r.headers['webhook-id'] === id).map((r) => r.body)).size).toBe(1);
    expect(deliveries).toHaveLength(12);
    expect(deliveries.every((d: { status: string }) => d.status === 'SUCCEEDED')).toBe(true);
  });
});
