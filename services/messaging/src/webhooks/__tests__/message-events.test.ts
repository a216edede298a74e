import { Webhook } from 'standardwebhooks';
import type { DataSource } from 'typeorm';
import { requirePrivateKey } from '@platform/config';
import { createBillingClient } from '@platform/billing-client';
import { QueryCounter, type Sql } from '@platform/db';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf } from '@platform/testing';
import { createMessagingDataSource } from '../../data-source';
import { LoopbackCarrier, type Carrier, type CarrierAcceptance, type DeliveryReceipt, type OutboundSms } from '../../pipeline/carrier';
import { DeliveryWorker } from '../../pipeline/worker';
import type { WebhookDispatcher } from '../dispatcher';
import { createEndpoint, createTestDispatcher, dispatchRound, FakeClock, startReceiver, type Receiver } from './webhook-kit';

jest.setTimeout(120_000);

const BULK = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId accepted messageIds } }`;
const INBOUND = `mutation($a: ID!, $from: String!, $body: String!) { injectInboundMessage(accountId: $a, from: $from, body: $body) { conversationId optedOut confirmationMessageId } }`;
const RESUBSCRIBE = `mutation($a: ID!, $phone: String!) { resubscribeContact(accountId: $a, phoneNumber: $phone) }`;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const NUMBER_CARRYING = ['message.status', 'message.inbound', 'contact.opted_out', 'contact.resubscribed'];
const number = (i: number) => `+4474006${String(i).padStart(5, '0')}`;

interface Delivered {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown> & { accountId: string };
}

/**
 * One message's status events in the order the platform defines (each names the status it left,
 * the first none); deliveries run concurrently, so arrival order is not that order. Throws when the
 * events do not form one such chain, or when a later event has an earlier timestamp.
 */
function statusChain(events: Delivered[]): Delivered[] {
  const chain: Delivered[] = [];
  let previous: unknown = null;
  for (let next = events.find((e) => e.data.previousStatus === previous); next; next = events.find((e) => e.data.previousStatus === previous)) {
    if (chain.length && next.timestamp < chain[chain.length - 1].timestamp) throw new Error(`${next.data.status} is timestamped before ${String(previous)}`);
    chain.push(next);
    previous = next.data.status;
  }
  if (chain.length !== events.length) throw new Error(`not one chain: ${JSON.stringify(events.map((e) => [e.data.previousStatus, e.data.status]))}`);
  return chain;
}

/**
 * The loopback carrier with scripted failures (the carrier stand-in of these tests): numbers it
 * refuses at once, and numbers whose receipt comes back FAILED with the carrier's reason.
 */
class ScriptedCarrier implements Carrier {
  readonly name = 'scripted-loopback';
  readonly refused = new Map<string, string>();
  readonly undeliverable = new Map<string, string>();
  private readonly recipients = new Map<string, string>();
  private readonly loopback: LoopbackCarrier;

  constructor(db: Sql) {
    this.loopback = new LoopbackCarrier(db, { receiptDelayMs: 0, failurePercent: 0 });
  }

  async send(messages: OutboundSms[]): Promise<CarrierAcceptance[]> {
    for (const m of messages) this.recipients.set(m.messageId, m.recipient);
    const refused = messages.filter((m) => this.refused.has(m.recipient));
    const accepted = await this.loopback.send(messages.filter((m) => !this.refused.has(m.recipient)));
    return [...accepted, ...refused.map((m) => ({ messageId: m.messageId, carrierMessageId: '', accepted: false, errorCode: this.refused.get(m.recipient) }))];
  }

  async takeDueReceipts(tx: Sql, limit: number): Promise<DeliveryReceipt[]> {
    return (await this.loopback.takeDueReceipts(tx, limit)).map((receipt) => {
      const reason = this.undeliverable.get(this.recipients.get(receipt.messageId) ?? '');
      return reason ? { messageId: receipt.messageId, outcome: 'FAILED' as const, errorCode: reason } : receipt;
    });
  }
}

/**
 * SPEC M10: the message and opt-out events are published in the transaction of their change and
 * reach subscribed endpoints signed (verified with the `standardwebhooks` package), through the
 * real delivery worker, loopback carrier, outbox relay and dispatcher.
 */
describe('message and contact events reach webhook receivers (SPEC M3-M5, M10)', () => {
  let stack: TestStack;
  let receiver: Receiver;
  let dispatcher: WebhookDispatcher;
  let dispatcherSource: DataSource;
  let workerSource: DataSource;
  let worker: DeliveryWorker;
  let carrier: ScriptedCarrier;
  let hqAdmin: string;
  const statements = new QueryCounter();
  const secrets = new Map<string, string>();
  const storeN1 = demoAccount('store-n1').id;

  /** Every request the receiver got on `path`, each verified with the endpoint's secret (throws on a bad signature). */
  const deliveredTo = (path: string): Delivered[] =>
    receiver.to(path).map((request) => {
      new Webhook(secrets.get(path)!).verify(request.body, request.headers as Record<string, string>);
      return { id: request.headers['webhook-id'] as string, ...(JSON.parse(request.body) as Omit<Delivered, 'id'>) };
    });
  const subscribe = async (token: string, path: string, accountId: string, eventTypes: string[], includeSubAccounts = true) => {
    const { secret } = await createEndpoint(stack, token, { accountId, url: receiver.url(path), eventTypes, includeSubAccounts });
    secrets.set(path, secret);
  };
  /** Worker rounds (settle credit, deliver, then receipts) until nothing changes. */
  const drain = async () => {
    for (;;) {
      const settled = await worker.settleDueBatches();
      const sent = await worker.deliverBatch();
      const receipts = await worker.applyDueReceipts();
      if (settled === 0 && sent === 0 && receipts === 0) return;
    }
  };
  /** Dispatcher rounds until every relayed event has been attempted. */
  const dispatchAll = async () => {
    while ((await dispatchRound(dispatcher, stack)) > 0);
  };
  const gql = async (query: string, variables: Record<string, unknown>, token = hqAdmin) => {
    const response = await stack.graphql(query, variables, token);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data;
  };

  beforeAll(async () => {
    stack = await startTestStack({
      env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', WEBHOOK_ALLOW_LOOPBACK_URLS: 'true', BILLING_SWEEP_INTERVAL_MS: '0' },
    });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await gql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW], deliveryReceipts: true }) { id } }`, { id: demoAccount('hq').id });
    receiver = await startReceiver();
    ({ dispatcher, dataSource: dispatcherSource } = await createTestDispatcher(stack, { clock: new FakeClock() }));
    workerSource = createMessagingDataSource(stack.database.url, { poolSize: 2, queryCounter: statements });
    await workerSource.initialize();
    carrier = new ScriptedCarrier(workerSource);
    const billing = createBillingClient({ url: stack.subgraphUrls.billing, privateKey: requirePrivateKey(stack.config, 'messaging'), ttlSeconds: stack.config.principalTokens.ttlSeconds });
    worker = new DeliveryWorker(workerSource, carrier, billing, { batchSize: 1000, leaseSeconds: 30 });

    // Endpoints that must never receive anything of North's subtree: a sibling region's, another tenant's.
    await subscribe(hqAdmin, '/south', demoAccount('south').id, NUMBER_CARRYING);
    await subscribe(await stack.login(demoUser('accountant').email), '/acme', demoAccount('acme').id, NUMBER_CARRYING);
  });
  afterAll(async () => {
    await workerSource?.destroy();
    await dispatcherSource?.destroy();
    await receiver?.close();
    await stack?.close();
  });

  it('a bulk send yields signed message.status events QUEUED → SENT → DELIVERED for every message, ordered per message; one outbox INSERT per worker batch', async () => {
    // Arrange
    await subscribe(hqAdmin, '/north', demoAccount('north').id, ['message.status']);
    const recipients = Array.from({ length: 40 }, (_, i) => number(i));
    const sent = (await gql(BULK, { input: { accountId: storeN1, to: recipients, body: 'Events bulk' } })).sendBulk;
    await worker.settleDueBatches();

    // Act
    statements.reset();
    await worker.deliverBatch();
    const outboxInsertsOfDelivery = statements.statements.filter((sql) => sql.includes('INSERT INTO messaging.outbox')).length;
    statements.reset();
    await worker.applyDueReceipts();
    const outboxInsertsOfReceipts = statements.statements.filter((sql) => sql.includes('INSERT INTO messaging.outbox')).length;
    await drain();
    await dispatchAll();

    // Assert
    expect(sent.accepted).toBe(40);
    expect([outboxInsertsOfDelivery, outboxInsertsOfReceipts]).toEqual([1, 1]);
    const events = deliveredTo('/north');
    expect(events).toHaveLength(120);
    expect(new Set(events.map((e) => e.id)).size).toBe(120);
    const byMessage = new Map<string, Delivered[]>();
    for (const event of events) byMessage.set(event.data.messageId as string, [...(byMessage.get(event.data.messageId as string) ?? []), event]);
    expect([...byMessage.keys()].sort()).toEqual([...sent.messageIds].sort());
    // Which message went to whom, as a client reads it (the answer's messageIds are not in the order of `to`).
    const listed: { id: string; recipient: string }[] = (await gql(`query($a: ID!, $b: ID!) { messages(accountId: $a, filter: { batchId: $b }, first: 100) { nodes { id recipient } } }`, { a: storeN1, b: sent.batchId })).messages.nodes;
    const recipientOf = new Map(listed.map((m) => [m.id, m.recipient]));
    expect([...recipientOf.values()].sort()).toEqual([...recipients].sort());
    for (const [messageId, ofMessage] of byMessage) {
      const ordered = statusChain(ofMessage);
      const recipient = recipientOf.get(messageId);
      expect(ordered.map((e) => ({ type: e.type, ...e.data }))).toEqual(
        [
          ['QUEUED', null],
          ['SENT', 'QUEUED'],
          ['DELIVERED', 'SENT'],
        ].map(([status, previousStatus]) => ({
          type: 'message.status',
          accountId: storeN1,
          messageId,
          batchId: sent.batchId,
          status,
          previousStatus,
          recipient,
          parts: 1,
          errorCode: null,
        })),
      );
      for (const event of ordered) expect(event.timestamp).toMatch(RFC3339_UTC);
    }
    expect([...deliveredTo('/south'), ...deliveredTo('/acme')]).toEqual([]);
  });

  it('a refused message and an undeliverable one yield FAILED events with the carrier\'s code', async () => {
    // Arrange
    await subscribe(hqAdmin, '/failures', storeN1, ['message.status'], false);
    const [refused, undeliverable] = [number(500), number(501)];
    carrier.refused.set(refused, 'NUMBER_BARRED');
    carrier.undeliverable.set(undeliverable, 'ABSENT_SUBSCRIBER');
    const sent = (await gql(BULK, { input: { accountId: storeN1, to: [refused, undeliverable], body: 'Events failures' } })).sendBulk;

    // Act
    await drain();
    await dispatchAll();

    // Assert
    const statusesOf = (recipient: string) =>
      statusChain(deliveredTo('/failures').filter((e) => e.data.recipient === recipient)).map((e) => ({
        recipient: e.data.recipient,
        status: e.data.status,
        previousStatus: e.data.previousStatus,
        errorCode: e.data.errorCode,
      }));
    expect(statusesOf(refused)).toEqual([
      { recipient: refused, status: 'QUEUED', previousStatus: null, errorCode: null },
      { recipient: refused, status: 'FAILED', previousStatus: 'QUEUED', errorCode: 'NUMBER_BARRED' },
    ]);
    expect(statusesOf(undeliverable)).toEqual([
      { recipient: undeliverable, status: 'QUEUED', previousStatus: null, errorCode: null },
      { recipient: undeliverable, status: 'SENT', previousStatus: 'QUEUED', errorCode: null },
      { recipient: undeliverable, status: 'FAILED', previousStatus: 'SENT', errorCode: 'ABSENT_SUBSCRIBER' },
    ]);
    const stored = await stack.sql.query(`SELECT recipient, status, error_code FROM messaging.messages WHERE batch_id = $1 ORDER BY recipient`, [sent.batchId]);
    expect(stored.rows).toEqual([
      { recipient: refused, status: 'FAILED', error_code: 'NUMBER_BARRED' },
      { recipient: undeliverable, status: 'FAILED', error_code: 'ABSENT_SUBSCRIBER' },
    ]);
  });

  it('scheduled messages yield SCHEDULED, then CANCELLED when cancelled, or QUEUED → SENT → DELIVERED once due', async () => {
    // Arrange
    await subscribe(hqAdmin, '/scheduled', storeN1, ['message.status'], false);
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const sent = (await gql(BULK, { input: { accountId: storeN1, to: [number(600), number(601)], body: 'Later', scheduledAt } })).sendBulk;
    const [cancelled, due] = sent.messageIds;

    // Act: one is cancelled; the batch's time then comes for the other
    await gql(`mutation($id: ID!) { cancelMessage(id: $id) { status } }`, { id: cancelled });
    await stack.sql.query(`UPDATE messaging.send_batches SET send_at = now() WHERE id = $1`, [sent.batchId]);
    await stack.sql.query(`UPDATE messaging.messages SET send_at = now() WHERE batch_id = $1`, [sent.batchId]);
    await worker.settleDueBatches();
    await drain();
    await dispatchAll();

    // Assert
    const statusesOf = (messageId: string) => statusChain(deliveredTo('/scheduled').filter((e) => e.data.messageId === messageId)).map((e) => [e.data.status, e.data.previousStatus]);
    expect(statusesOf(cancelled)).toEqual([
      ['SCHEDULED', null],
      ['CANCELLED', 'SCHEDULED'],
    ]);
    expect(statusesOf(due)).toEqual([
      ['SCHEDULED', null],
      ['QUEUED', 'SCHEDULED'],
      ['SENT', 'QUEUED'],
      ['DELIVERED', 'SENT'],
    ]);
  });

  it('a scheduled batch whose credit cannot be captured yields FAILED events with CREDIT_NOT_CAPTURED', async () => {
    // Arrange: a scheduled batch whose hold is lost, then made due
    await subscribe(hqAdmin, '/unpaid', storeN1, ['message.status'], false);
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const sent = (await gql(BULK, { input: { accountId: storeN1, to: [number(650), number(651)], body: 'Never paid', scheduledAt } })).sendBulk;
    const [{ reservation_id: reservationId }] = (await stack.sql.query(`SELECT reservation_id FROM messaging.send_batches WHERE id = $1`, [sent.batchId])).rows;
    await createBillingClient({ url: stack.subgraphUrls.billing, privateKey: requirePrivateKey(stack.config, 'messaging') }).release(reservationId);
    await stack.sql.query(`UPDATE messaging.send_batches SET send_at = now() WHERE id = $1`, [sent.batchId]);
    await stack.sql.query(`UPDATE messaging.messages SET send_at = now() WHERE batch_id = $1`, [sent.batchId]);

    // Act
    await worker.settleDueBatches();
    await dispatchAll();

    // Assert
    for (const messageId of sent.messageIds) {
      expect(statusChain(deliveredTo('/unpaid').filter((e) => e.data.messageId === messageId)).map((e) => [e.data.status, e.data.previousStatus, e.data.errorCode])).toEqual([
        ['SCHEDULED', null, null],
        ['FAILED', 'SCHEDULED', 'CREDIT_NOT_CAPTURED'],
      ]);
    }
  });

  it('an inbound reply yields message.inbound; STOP yields contact.opted_out and the confirmation\'s status; resubscribing yields contact.resubscribed', async () => {
    // Arrange
    await subscribe(hqAdmin, '/n1', storeN1, NUMBER_CARRYING, false);
    const phone = number(700);

    // Act
    const reply = (await gql(INBOUND, { a: storeN1, from: phone, body: 'Is the shop open on Sunday?' })).injectInboundMessage;
    const stop = (await gql(INBOUND, { a: storeN1, from: phone, body: 'stop' })).injectInboundMessage;
    const again = (await gql(INBOUND, { a: storeN1, from: phone, body: 'STOP' })).injectInboundMessage;
    await gql(RESUBSCRIBE, { a: storeN1, phone });
    await dispatchAll();

    // Assert
    expect([reply.optedOut, stop.optedOut, again.optedOut, again.confirmationMessageId]).toEqual([false, true, true, null]);
    // Events of one transaction may share a millisecond: compared per type, each type in time order.
    const events = deliveredTo('/n1');
    const ofType = (type: string) => events.filter((e) => e.type === type).sort((a, b) => a.timestamp.localeCompare(b.timestamp)).map((e) => e.data);
    expect(events).toHaveLength(6);
    const inbound = ofType('message.inbound');
    expect(inbound).toEqual(
      [
        ['Is the shop open on Sunday?', false],
        ['stop', true],
        ['STOP', true],
      ].map(([body, optOut]) => ({ accountId: storeN1, messageId: expect.any(String), conversationId: reply.conversationId, from: phone, body, optOut, receivedAt: expect.stringMatching(RFC3339_UTC) })),
    );
    expect(ofType('contact.opted_out')).toEqual([
      { accountId: storeN1, phoneNumber: phone, keyword: 'STOP', source: 'KEYWORD', inboundMessageId: inbound[1].messageId, optedOutAt: inbound[1].receivedAt },
    ]);
    expect(ofType('message.status')).toEqual([
      { accountId: storeN1, messageId: stop.confirmationMessageId, batchId: null, status: 'QUEUED', previousStatus: null, recipient: phone, parts: 1, errorCode: null },
    ]);
    expect(ofType('contact.resubscribed')).toEqual([{ accountId: storeN1, phoneNumber: phone, source: 'API', resubscribedAt: expect.stringMatching(RFC3339_UTC) }]);
    const catalogue = (await gql(`{ webhookEventTypes { type } }`, {})).webhookEventTypes.map((t: { type: string }) => t.type);
    expect(catalogue).toEqual(expect.arrayContaining(NUMBER_CARRYING));
    expect([...deliveredTo('/south'), ...deliveredTo('/acme')]).toEqual([]);
  });

  it('an endpoint including sub-accounts is refused to a caller whose membership below masks numbers there; without them it is allowed', async () => {
    // Arrange: north-admin sees every number on North (a FULL group) and is also a guest of Store N1 with a
    // RESTRICTED group, so Store N1's numbers are masked to them
    const group = (await gql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Guest restricted") { id } }`, { a: storeN1 })).createContactGroup.id;
    const full = (await gql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "North full") { id } }`, { a: demoAccount('north').id })).createContactGroup.id;
    const regional = (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser('north-admin').id, demoAccount('north').id])).rows[0].id;
    await gql(`mutation($id: ID!, $g: ID!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: SELECTED, contactGroups: [{ groupId: $g, access: FULL }] }) { id } }`, { id: regional, g: full });
    const guest = (
      await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADVANCED_USER') RETURNING id`, [demoUser('north-admin').id, storeN1])
    ).rows[0].id;
    await gql(`mutation($id: ID!, $g: ID!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: SELECTED, contactGroups: [{ groupId: $g, access: RESTRICTED }] }) { id } }`, { id: guest, g: group });
    const northAdmin = await stack.login(demoUser('north-admin').email);
    const CREATE = `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`;
    const input = (includeSubAccounts: boolean) => ({ input: { accountId: demoAccount('north').id, url: receiver.url('/guest'), eventTypes: ['message.status'], includeSubAccounts } });

    // Act
    const withSubAccounts = await stack.graphql(CREATE, input(true), northAdmin);
    const ownOnly = await stack.graphql(CREATE, input(false), northAdmin);
    const widened = await stack.graphql(`mutation($id: ID!) { updateWebhookEndpoint(id: $id, input: { includeSubAccounts: true }) { id } }`, { id: ownOnly.data?.createWebhookEndpoint.endpoint.id }, northAdmin);
    await stack.sql.query(`DELETE FROM identity.memberships WHERE id = $1`, [guest]);

    // Assert
    expect([codeOf(withSubAccounts), codeOf(widened)]).toEqual(['CONTACT_ACCESS_RESTRICTED', 'CONTACT_ACCESS_RESTRICTED']);
    expect(ownOnly.errors).toBeUndefined();
    const stored = await stack.sql.query(`SELECT include_sub_accounts FROM messaging.webhook_endpoints WHERE url = $1`, [receiver.url('/guest')]);
    expect(stored.rows).toEqual([{ include_sub_accounts: false }]);
  });

  it('a caller whose contact access masks numbers cannot subscribe to number-carrying events; their endpoints and other trees\' get nothing of the subtree', async () => {
    // Arrange: north-admin sees store N1's numbers masked (a RESTRICTED group)
    const group = (await gql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Events restricted") { id } }`, { a: storeN1 })).createContactGroup.id;
    const membership = (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1 AND account_id = $2`, [demoUser('north-admin').id, demoAccount('north').id])).rows[0].id;
    await gql(`mutation($id: ID!, $g: ID!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: SELECTED, contactGroups: [{ groupId: $g, access: RESTRICTED }] }) { id } }`, { id: membership, g: group });
    const restricted = await stack.login(demoUser('north-admin').email);
    await subscribe(hqAdmin, '/full', storeN1, NUMBER_CARRYING, false);
    const endpointsBefore = (await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.webhook_endpoints`)).rows[0].n;

    // Act
    const refusals = [];
    for (const eventType of NUMBER_CARRYING) {
      for (const accountId of [demoAccount('north').id, storeN1]) {
        refusals.push(
          await stack.graphql(
            `mutation($input: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
            { input: { accountId, url: receiver.url('/restricted'), eventTypes: [eventType], includeSubAccounts: true } },
            restricted,
          ),
        );
      }
    }
    await subscribe(restricted, '/restricted', demoAccount('north').id, ['account.created', 'account.closed']);
    const phone = number(800);
    const sent = (await gql(BULK, { input: { accountId: storeN1, to: [phone], body: 'Restricted events' } })).sendBulk;
    await drain();
    await gql(INBOUND, { a: storeN1, from: phone, body: 'STOP' });
    await gql(RESUBSCRIBE, { a: storeN1, phone });
    await dispatchAll();

    // Assert
    expect(refusals.map(codeOf)).toEqual(Array(8).fill('CONTACT_ACCESS_RESTRICTED'));
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.webhook_endpoints`)).rows[0].n).toBe(endpointsBefore + 1);
    expect(deliveredTo('/restricted')).toEqual([]);
    expect([...deliveredTo('/south'), ...deliveredTo('/acme')]).toEqual([]);
    const full = deliveredTo('/full').sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    expect(statusChain(full.filter((e) => e.data.messageId === sent.messageIds[0])).map((e) => [e.data.status, e.data.recipient])).toEqual([
      ['QUEUED', phone],
      ['SENT', phone],
      ['DELIVERED', phone],
    ]);
    expect(full.filter((e) => e.type.startsWith('contact.')).map((e) => [e.type, e.data.phoneNumber])).toEqual([
      ['contact.opted_out', phone],
      ['contact.resubscribed', phone],
    ]);
  });
  it('changes nobody subscribes to write no status event, and the relay keeps no event no endpoint receives', async () => {
    // Arrange: no endpoint on the head office, none above it
    const hq = demoAccount('hq').id;
    const phone = number(900);

    // Act
    const sent = (await gql(BULK, { input: { accountId: hq, to: [phone, number(901)], body: 'Nobody listens' } })).sendBulk;
    await drain();
    await gql(INBOUND, { a: hq, from: phone, body: 'STOP' });
    await dispatchAll();

    // Assert
    const published = await stack.sql.query(`SELECT type, data->>'phoneNumber' AS phone FROM messaging.outbox WHERE account_id = $1 ORDER BY seq`, [hq]);
    expect(published.rows).toEqual([
      { type: 'message.inbound', phone: null },
      { type: 'contact.opted_out', phone },
    ]);
    const kept = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.webhook_events WHERE account_id = $1`, [hq]);
    expect(kept.rows[0].n).toBe(0);
    expect(sent.accepted).toBe(2);
  });
});
