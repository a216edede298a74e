import type { DataSource } from 'typeorm';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import type { WebhookDispatcher } from '../dispatcher';
import { nominalRetryDelayMs, retryDelayMs } from '../schedule';
import { createEndpoint, createTestDispatcher, dispatchRound, ENDPOINT_FIELDS, FakeClock, publish, startReceiver, verifyStandardWebhook, type Receiver } from './webhook-kit';

describe('webhook deliveries (SPEC M10): Standard Webhooks signatures, retries, disabling, replay, rotation', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let dispatcher: WebhookDispatcher;
  let clock: FakeClock;
  let dataSource: DataSource;
  let northAdmin: string;
  const north = demoAccount('north').id;

  const endpoint = async (id: string) => (await stack.graphql(`query($id: ID!) { webhookEndpoint(id: $id) { ${ENDPOINT_FIELDS} } }`, { id }, northAdmin)).data.webhookEndpoint;

  beforeAll(async () => {
    // The stack's own dispatcher is off: these tests drive one with a fake clock.
    stack = await startTestStack({ env: { WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true' } });
    receiver = await startReceiver();
    ({ dispatcher, clock, dataSource } = await createTestDispatcher(stack, {
      clock: new FakeClock(),
      resolver: async (hostname) => {
        if (hostname === 'hooks.localhost') return [{ address: '127.0.0.1', family: 4 }];
        if (hostname === 'rebind.hooks.example') return [{ address: '169.254.169.254', family: 4 }];
        throw new Error(`unexpected lookup of ${hostname}`);
      },
    }));
    northAdmin = await stack.login(demoUser('north-admin').email);
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await receiver?.close();
    await stack?.close();
  });

  it('signs every attempt, retries with backoff on the injected clock, and keeps the webhook-id', async () => {
    // Arrange: the receiver fails twice, then accepts
    const { id, secret } = await createEndpoint(stack, northAdmin, { accountId: north, url: receiver.url('/retries'), eventTypes: ['message.status'] });
    receiver.respondWith((request) => (request.path === '/retries' && receiver.to('/retries').length <= 2 ? 500 : 200));
    const event = await publish(stack, 'messaging', 'message.status', north, { messageId: 'm-1', status: 'DELIVERED' });
    clock.reset();
    const start = clock.now().getTime();

    // Act
    const first = await dispatchRound(dispatcher, stack);
    const notYetDue = await dispatchRound(dispatcher, stack);
    clock.advance(nominalRetryDelayMs(1) - 1);
    const oneMsEarly = await dispatchRound(dispatcher, stack);
    clock.advance(1);
    const second = await dispatchRound(dispatcher, stack);
    clock.advance(nominalRetryDelayMs(2));
    const third = await dispatchRound(dispatcher, stack);
    const after = await endpoint(id);

    // Assert
    expect([first, notYetDue, oneMsEarly, second, third]).toEqual([1, 0, 0, 1, 1]);
    const received = receiver.to('/retries');
    expect(received).toHaveLength(3);
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id, event.id]);
    expect(received.every((r) => verifyStandardWebhook(secret, r))).toBe(true);
    expect(verifyStandardWebhook(secret, { ...received[0], body: received[0].body.replace('DELIVERED', 'FAILED') })).toBe(false);
    expect(new Set(received.map((r) => r.body)).size).toBe(1);
    expect(JSON.parse(received[0].body)).toEqual({ type: 'message.status', timestamp: event.occurredAt.toISOString(), data: { accountId: north, messageId: 'm-1', status: 'DELIVERED' } });
    const seconds = received.map((r) => Number(r.headers['webhook-timestamp']));
    expect(seconds).toEqual([start, start + nominalRetryDelayMs(1), start + nominalRetryDelayMs(1) + nominalRetryDelayMs(2)].map((ms) => Math.floor(ms / 1000)));
    const [delivery] = after.deliveries.nodes;
    expect(delivery).toMatchObject({ webhookId: event.id, status: 'SUCCEEDED', attemptCount: 3, lastResponseStatus: 200, nextAttemptAt: null });
    expect(delivery.attempts.nodes.map((a: { responseStatus: number; succeeded: boolean }) => [a.responseStatus, a.succeeded])).toEqual([
      [500, false],
      [500, false],
      [200, true],
    ]);
    expect(delivery.attempts.nodes.every((a: { latencyMs: number }) => Number.isInteger(a.latencyMs) && a.latencyMs >= 0)).toBe(true);
  });

  it('spreads retries with ±20 % jitter around the documented schedule', () => {
    // Act
    const delays = [1, 2, 3, 8].map((attempt) => [retryDelayMs(attempt, () => 0), retryDelayMs(attempt, () => 0.999999), nominalRetryDelayMs(attempt)]);

    // Assert
    expect(delays.map(([, , nominal]) => nominal)).toEqual([15_000, 60_000, 240_000, 24 * 3600_000]);
    for (const [low, high, nominal] of delays) {
      expect(low).toBe(Math.round(nominal * 0.8));
      expect(high).toBeLessThanOrEqual(Math.round(nominal * 1.2));
      expect(high).toBeGreaterThan(Math.round(nominal * 1.19));
    }
  });

  it('disables an endpoint that answers 410 Gone, and replays its delivery with the same webhook-id once re-enabled', async () => {
    // Arrange
    const { id, secret } = await createEndpoint(stack, northAdmin, { accountId: north, url: receiver.url('/gone'), eventTypes: ['message.inbound'] });
    receiver.respondWith((request) => (request.path === '/gone' ? 410 : 200));
    const event = await publish(stack, 'messaging', 'message.inbound', north, { messageId: 'in-1' });
    clock.reset();
    await dispatchRound(dispatcher, stack);
    const disabled = await endpoint(id);
    await publish(stack, 'messaging', 'message.inbound', north, { messageId: 'in-2' });
    const whileDisabled = await dispatchRound(dispatcher, stack);

    // Act
    receiver.respondWith(() => 200);
    const deliveryId = disabled.deliveries.nodes[0].id;
    const refusedReplay = await stack.graphql(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { id } }`, { id: deliveryId }, northAdmin);
    await stack.graphql(`mutation($id: ID!) { enableWebhookEndpoint(id: $id) { status } }`, { id }, northAdmin);
    const replay = await stack.graphql(`mutation($id: ID!) { replayWebhookDelivery(id: $id) { webhookId status } }`, { id: deliveryId }, northAdmin);
    clock.catchUp();
    await dispatchRound(dispatcher, stack);
    const replayed = await endpoint(id);

    // Assert
    expect(disabled).toMatchObject({ status: 'DISABLED', disabledReason: 'GONE' });
    expect(disabled.deliveries.nodes[0]).toMatchObject({ status: 'FAILED', lastResponseStatus: 410 });
    expect(whileDisabled).toBe(0);
    expect(replayed.deliveries.nodes).toHaveLength(1); // no delivery was created for the event published while disabled
    expect(refusedReplay.errors?.[0].extensions?.code).toBe('INVALID_STATE');
    expect(replay.data.replayWebhookDelivery).toEqual({ webhookId: event.id, status: 'PENDING' });
    const received = receiver.to('/gone');
    expect(received.map((r) => r.headers['webhook-id'])).toEqual([event.id, event.id]);
    expect(received[0].body).toBe(received[1].body);
    expect(received.every((r) => verifyStandardWebhook(secret, r))).toBe(true);
    expect(replayed.status).toBe('ACTIVE');
    expect(replayed.deliveries.nodes[0]).toMatchObject({ status: 'SUCCEEDED', attemptCount: 2 });
  });

  it('gives a delivery up after the last scheduled attempt and disables an endpoint that never succeeded since', async () => {
    // Arrange
    const { id } = await createEndpoint(stack, northAdmin, { accountId: north, url: receiver.url('/down'), eventTypes: ['contact.opted_out'] });
    receiver.respondWith((request) => (request.path === '/down' ? 503 : 200));
    const event = await publish(stack, 'messaging', 'contact.opted_out', north, { contactId: 'c-1' });
    clock.reset();
    const maxAttempts = stack.config.webhooks.maxAttempts;

    // Act: each round exactly when the next attempt falls due
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      await dispatchRound(dispatcher, stack);
      clock.advance(nominalRetryDelayMs(attempt));
    }
    const afterLast = await dispatchRound(dispatcher, stack);
    const gaveUp = await endpoint(id);

    // Assert
    expect(maxAttempts).toBe(8);
    const received = receiver.to('/down');
    expect(received).toHaveLength(maxAttempts);
    expect(new Set(received.map((r) => r.headers['webhook-id']))).toEqual(new Set([event.id]));
    const gaps = received.slice(1).map((r, i) => Number(r.headers['webhook-timestamp']) - Number(received[i].headers['webhook-timestamp']));
    expect(gaps).toEqual([15, 60, 240, 960, 3840, 15360, 61440]);
    expect(afterLast).toBe(0);
    expect(gaveUp).toMatchObject({ status: 'DISABLED', disabledReason: 'PERSISTENT_FAILURE' });
    expect(gaveUp.deliveries.nodes[0]).toMatchObject({ status: 'FAILED', attemptCount: maxAttempts, lastResponseStatus: 503 });
  });

  it('signs with both secrets during a rotation overlap, then with the new one only', async () => {
    // Arrange
    const { id, secret: oldSecret } = await createEndpoint(stack, northAdmin, { accountId: north, url: receiver.url('/rotated'), eventTypes: ['message.status'] });
    receiver.respondWith(() => 200);
    const rotation = await stack.graphql(`mutation($id: ID!) { rotateWebhookSecret(id: $id, overlapSeconds: 3600) { secret endpoint { previousSecretExpiresAt } } }`, { id }, northAdmin);
    const newSecret: string = rotation.data.rotateWebhookSecret.secret;

    // Act
    await publish(stack, 'messaging', 'message.status', north, { messageId: 'm-rot-1' });
    clock.reset();
    await dispatchRound(dispatcher, stack);
    clock.advance(2 * 3600_000);
    await publish(stack, 'messaging', 'message.status', north, { messageId: 'm-rot-2' });
    await dispatchRound(dispatcher, stack);

    // Assert
    const [during, afterOverlap] = receiver.to('/rotated');
    expect(newSecret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(newSecret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(newSecret).not.toBe(oldSecret);
    expect(rotation.data.rotateWebhookSecret.endpoint.previousSecretExpiresAt).not.toBeNull();
    expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(verifyStandardWebhook(newSecret, during)).toBe(true);
    expect(verifyStandardWebhook(oldSecret, during)).toBe(true);
    expect(String(afterOverlap.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(verifyStandardWebhook(newSecret, afterOverlap)).toBe(true);
    expect(verifyStandardWebhook(oldSecret, afterOverlap)).toBe(false);
  });

  it('connects to the address it checked: a name resolving to a metadata address is never contacted', async () => {
    // Arrange: the name passes registration (it does not resolve publicly) and resolves to 169.254.169.254 at delivery
    const rebinding = await createEndpoint(stack, northAdmin, { accountId: north, url: 'https://rebind.hooks.example/steal', eventTypes: ['message.status'] });
    const pinned = await createEndpoint(stack, northAdmin, { accountId: north, url: `http://hooks.localhost:${receiver.port}/pinned`, eventTypes: ['message.status'] });
    receiver.respondWith(() => 200);
    const before = receiver.requests.length;

    // Act
    await publish(stack, 'messaging', 'message.status', north, { messageId: 'm-dns' });
    clock.reset();
    await dispatchRound(dispatcher, stack);
    const refused = await endpoint(rebinding.id);

    // Assert
    const newRequests = receiver.requests.slice(before);
    expect(newRequests.map((r) => r.path).filter((p) => p !== '/retries' && p !== '/rotated')).toEqual(['/pinned']);
    expect(newRequests.find((r) => r.path === '/pinned')!.headers.host).toBe(`hooks.localhost:${receiver.port}`);
    expect(verifyStandardWebhook(pinned.secret, newRequests.find((r) => r.path === '/pinned')!)).toBe(true);
    expect(refused.deliveries.nodes[0].attempts.nodes[0]).toMatchObject({ responseStatus: null, succeeded: false });
    expect(refused.deliveries.nodes[0].attempts.nodes[0].error).toMatch(/metadata/);
  });
});
