import { requirePrivateKey } from '@platform/config';
import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createBillingClient } from '@platform/billing-client';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';
import { createMessagingDataSource } from '../../data-source';
import { createDeliveryWorker, type DeliveryWorker } from '../worker';

jest.setTimeout(120_000);

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId accepted costUnits messageIds } }`;
const BULK = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId accepted costUnits messageIds } }`;
const BALANCE = `query($id: ID!) { account(id: $id) { billing { balance heldUnits } } }`;
const number = (i: number) => `+4474009${String(i).padStart(5, '0')}`;

/**
 * SPEC M2, B3: a send's credit is one reservation of its own attempt. A retry after a refusal is
 * decided afresh (never on the released hold of the refused attempt), and a batch whose credit can
 * never be captured ends FAILED, unsent, once, with an activity entry.
 */
describe('credit of retried and unsettleable sends (SPEC M2, B3)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let dataSource: DataSource;
  let worker: DeliveryWorker;
  const hq = demoAccount('hq').id;
  const storeN2 = demoAccount('store-n2').id;
  const storeS1 = demoAccount('store-s1').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', BILLING_SWEEP_INTERVAL_MS: '0', LOOPBACK_RECEIPT_DELAY_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: hq }, hqAdmin);
    dataSource = createMessagingDataSource(stack.database.url, { poolSize: 2 });
    await dataSource.initialize();
    worker = createDeliveryWorker(dataSource, { ...stack.config, subgraphUrls: { ...stack.config.subgraphUrls, billing: stack.subgraphUrls.billing } });
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await stack?.close();
  });

  const smsLimits = (accountId: string, daily: number | null) =>
    stack.graphql(`mutation($id: ID!, $daily: Int) { updateAccountSettings(id: $id, input: { smsLimits: { daily: $daily, monthly: null } }) { id } }`, { id: accountId, daily }, hqAdmin);
  const balance = async (accountId: string) => (await stack.graphql(BALANCE, { id: accountId }, hqAdmin)).data.account.billing as { balance: number; heldUnits: number };
  const reservationsOf = async (idempotencyKey: string) =>
    (await stack.sql.query(`SELECT status, units::int, captured_units::int AS captured FROM billing.reservations WHERE reference = $1 ORDER BY created_at`, [`send:${idempotencyKey}`])).rows;
  const carrierCalls = async (ids: string[]) =>
    Number((await stack.sql.query(`SELECT count(*) AS n FROM messaging.loopback_carrier_calls WHERE message_id = ANY($1::uuid[])`, [ids])).rows[0].n);

  it('a key refused with OUTSIDE_LIMIT, retried after the limit is raised, is charged on a new reservation, captured once by the worker', async () => {
    // Arrange: Store N2 may send no message today
    await smsLimits(storeN2, 0);
    const idempotencyKey = crypto.randomUUID();
    const input = { accountId: storeN2, to: number(1), body: 'x'.repeat(153 * 2), idempotencyKey };
    const before = await balance(storeN2);
    const refused = await stack.graphql(SEND, { input }, hqAdmin);
    await smsLimits(storeN2, null);

    // Act
    const retried = await stack.graphql(SEND, { input }, hqAdmin);
    const settledFirstRound = await worker.settleDueBatches();
    const delivered = await worker.deliverBatch();
    const settledSecondRound = await worker.settleDueBatches();
    const replayed = await stack.graphql(SEND, { input }, hqAdmin);

    // Assert
    expect(code(refused)).toBe('OUTSIDE_LIMIT');
    expect(retried.errors).toBeUndefined();
    expect(retried.data.sendMessage).toMatchObject({ accepted: 1, costUnits: 2 });
    expect(await reservationsOf(idempotencyKey)).toEqual([
      { status: 'RELEASED', units: 2, captured: 0 },
      { status: 'CAPTURED', units: 2, captured: 2 },
    ]);
    expect(await balance(storeN2)).toEqual({ balance: before.balance - 2, heldUnits: before.heldUnits });
    const batch = await stack.sql.query(`SELECT credit_state FROM messaging.send_batches WHERE id = $1`, [retried.data.sendMessage.batchId]);
    expect(batch.rows).toEqual([{ credit_state: 'CAPTURED' }]);
    expect([settledFirstRound, settledSecondRound]).toEqual([1, 0]);
    expect(delivered).toBeGreaterThanOrEqual(1);
    expect(await carrierCalls(retried.data.sendMessage.messageIds)).toBe(1);
    expect(replayed.data.sendMessage).toEqual(retried.data.sendMessage);
  });

  it("accepted sends hold their credit until the worker's round captures every due batch at once; only then are their messages delivered", async () => {
    // Arrange
    const before = await balance(storeN2);
    const sends = [];
    for (let i = 0; i < 3; i += 1) sends.push(await stack.graphql(SEND, { input: { accountId: storeN2, to: number(40 + i), body: 'Captured by the worker' } }, hqAdmin));
    const batchIds = sends.map((sent) => sent.data.sendMessage.batchId as string);
    const held = await balance(storeN2);

    // Act
    const deliveredBeforeCapture = await worker.deliverBatch();
    const settled = await worker.settleDueBatches();
    const captured = await balance(storeN2);
    const delivered = await worker.deliverBatch();

    // Assert
    expect(sends.map((sent) => sent.errors)).toEqual([undefined, undefined, undefined]);
    expect(held).toEqual({ balance: before.balance, heldUnits: before.heldUnits + 3 });
    expect(deliveredBeforeCapture).toBe(0);
    expect(settled).toBe(3);
    expect(captured).toEqual({ balance: before.balance - 3, heldUnits: before.heldUnits });
    expect(delivered).toBe(3);
    const batches = await stack.sql.query(`SELECT DISTINCT credit_state FROM messaging.send_batches WHERE id = ANY($1::uuid[])`, [batchIds]);
    expect(batches.rows).toEqual([{ credit_state: 'CAPTURED' }]);
  });

  it('billing refuses to hand back or capture a released reservation, with stable codes', async () => {
    // Arrange
    const billing = createBillingClient({ url: stack.subgraphUrls.billing, privateKey: requirePrivateKey(stack.config, 'messaging') });
    const input = { accountId: storeN2, userId: null, units: 3, idempotencyKey: `released-${crypto.randomUUID()}`, reference: 'released-reservation' };
    const reservation = await billing.reserve(input);
    await billing.release(reservation.id);

    // Act
    const replay = await billing.reserve(input).catch((error: { code: string }) => error);
    const capture = await billing.capture(reservation.id).catch((error: { code: string }) => error);

    // Assert
    expect((replay as { code: string }).code).toBe('RESERVATION_RELEASED');
    expect((capture as { code: string }).code).toBe('RESERVATION_RELEASED');
  });

  it('a batch whose reservation was released is failed once, unsent, with an activity entry, and never retried again', async () => {
    // Arrange: a scheduled batch whose hold is lost, then made due with its messages queued (the state
    // a retried key used to leave: messages QUEUED on a RELEASED reservation)
    const scheduledAt = new Date(Date.now() + 3_600_000).toISOString();
    const sent = await stack.graphql(BULK, { input: { accountId: storeS1, to: [number(10), number(11)], body: 'Never paid', scheduledAt } }, hqAdmin);
    const { batchId, messageIds } = sent.data.sendBulk;
    const [{ reservation_id: reservationId }] = (await stack.sql.query(`SELECT reservation_id FROM messaging.send_batches WHERE id = $1`, [batchId])).rows;
    await createBillingClient({ url: stack.subgraphUrls.billing, privateKey: requirePrivateKey(stack.config, 'messaging') }).release(reservationId);
    await stack.sql.query(`UPDATE messaging.send_batches SET send_at = now() WHERE id = $1`, [batchId]);
    await stack.sql.query(`UPDATE messaging.messages SET status = 'QUEUED', send_at = now() WHERE batch_id = $1`, [batchId]);
    const before = await balance(storeS1);

    // Act
    const deliveredBeforeSettlement = await worker.deliverBatch();
    await worker.settleDueBatches();
    const deliveredAfter = await worker.deliverBatch();
    const settledAgain = await worker.settleDueBatches();

    // Assert
    expect(sent.errors).toBeUndefined();
    expect([deliveredBeforeSettlement, deliveredAfter, settledAgain]).toEqual([0, 0, 0]);
    expect((await stack.sql.query(`SELECT credit_state FROM messaging.send_batches WHERE id = $1`, [batchId])).rows).toEqual([{ credit_state: 'FAILED' }]);
    const messages = await stack.sql.query(`SELECT status, error_code FROM messaging.messages WHERE batch_id = $1`, [batchId]);
    expect(messages.rows).toEqual([
      { status: 'FAILED', error_code: 'CREDIT_NOT_CAPTURED' },
      { status: 'FAILED', error_code: 'CREDIT_NOT_CAPTURED' },
    ]);
    expect(await carrierCalls(messageIds)).toBe(0);
    expect(await balance(storeS1)).toEqual(before);
    const activity = await stack.sql.query(`SELECT actor_kind, action, after FROM messaging.activity_log WHERE target_id = $1 AND action = 'settleSendBatch'`, [batchId]);
    expect(activity.rows).toEqual([
      { actor_kind: 'SERVICE', action: 'settleSendBatch', after: { creditState: 'FAILED', errorCode: 'CREDIT_NOT_CAPTURED', billingCode: 'RESERVATION_RELEASED', failedMessages: 2 } },
    ]);
  });
});
