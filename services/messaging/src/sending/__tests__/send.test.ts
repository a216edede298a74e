import crypto from 'node:crypto';
import { insertAccountTree } from '@platform/account-hierarchy';
import { verifyActivityLog } from '@platform/audit';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';

jest.setTimeout(120_000);

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId accepted status sendAt costUnits partsPerMessage skipped { recipient reason } messageIds } }`;
const BULK = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId accepted status sendAt costUnits skipped { recipient reason } messageIds } }`;
const number = (i: number) => `+4474001${String(i).padStart(5, '0')}`;

describe('sending (SPEC M1, M2, H5, I6)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let advanced: string;
  const storeN1 = demoAccount('store-n1').id;
  const storeN2 = demoAccount('store-n2').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    advanced = await stack.login(demoUser('n1-advanced').email);
    // The demo head office closes its sending window at night; the window has its own test below.
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id }, hqAdmin);
  });
  afterAll(() => stack?.close());

  const settings = (accountId: string, input: Record<string, unknown>) =>
    stack.graphql(`mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`, { id: accountId, input }, hqAdmin);
  const messageRows = async (accountId: string) => Number((await stack.sql.query(`SELECT count(*) FROM messaging.messages WHERE account_id = $1`, [accountId])).rows[0].count);

  it('queues a message, reserves its credit (captured by the worker), and answers a retry with the same idempotency key identically', async () => {
    // Arrange
    const input = { accountId: storeN1, to: '07400 100001', body: 'Hello €', idempotencyKey: crypto.randomUUID() };

    // Act
    const first = await stack.graphql(SEND, { input }, advanced);
    const retry = await stack.graphql(SEND, { input }, advanced);
    const reused = await stack.graphql(SEND, { input: { ...input, body: 'other' } }, advanced);
    await stack.settleSendCredit();

    // Assert
    expect(first.errors).toBeUndefined();
    expect(first.data.sendMessage).toMatchObject({ accepted: 1, status: 'QUEUED', costUnits: 1, partsPerMessage: 1 });
    expect(retry.data.sendMessage).toEqual(first.data.sendMessage);
    expect(code(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    const { rows } = await stack.sql.query(`SELECT recipient, status, usage_day IS NOT NULL AS dated FROM messaging.messages WHERE batch_id = $1`, [first.data.sendMessage.batchId]);
    expect(rows).toEqual([{ recipient: '+447400100001', status: 'QUEUED', dated: true }]);
    const reservation = await stack.sql.query(`SELECT status, captured_units FROM billing.reservations WHERE reference = $1`, [`send:${input.idempotencyKey}`]);
    expect(reservation.rows).toEqual([{ status: 'CAPTURED', captured_units: expect.anything() }]);
  });

  it('refuses a suspended account with ACCOUNT_SUSPENDED and writes nothing', async () => {
    // Arrange
    await stack.graphql(`mutation($id: ID!) { suspendAccount(id: $id) { id } }`, { id: storeN2 }, hqAdmin);
    const before = await messageRows(storeN2);

    // Act
    const refused = await stack.graphql(SEND, { input: { accountId: storeN2, to: '+447400100002', body: 'x' } }, hqAdmin);
    await stack.graphql(`mutation($id: ID!) { resumeAccount(id: $id) { id } }`, { id: storeN2 }, hqAdmin);
    const allowed = await stack.graphql(SEND, { input: { accountId: storeN2, to: '+447400100002', body: 'x' } }, hqAdmin);

    // Assert
    expect(code(refused)).toBe('ACCOUNT_SUSPENDED');
    expect(allowed.data.sendMessage.accepted).toBe(1);
    expect(await messageRows(storeN2)).toBe(before + 1);
  });

  it('allows only active sender IDs of the account (or shared down) and the user\'s allowed sender IDs', async () => {
    // Arrange
    const tag = await stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: "Store N1" }) { id status } }`, { a: storeN1 }, hqAdmin);
    const other = await stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: "Store N2" }) { id } }`, { a: storeN2 }, hqAdmin);
    const dedicated = await stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: DEDICATED_NUMBER, value: "+447400999001" }) { id status } }`, { a: storeN1 }, hqAdmin);
    const badTag = await stack.graphql(`mutation($a: ID!) { requestSenderId(accountId: $a, input: { kind: ALPHANUMERIC, value: "TwelveChars1" }) { id } }`, { a: storeN1 }, hqAdmin);
    const tagId = tag.data.requestSenderId.id;
    const membership = (await stack.sql.query(`SELECT id FROM identity.memberships WHERE user_id = $1`, [demoUser('n1-advanced').id])).rows[0].id;

    // Act
    const ownTag = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100003', body: 'x', senderId: tagId } }, advanced);
    const siblingTag = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100003', body: 'x', senderId: other.data.requestSenderId.id } }, advanced);
    const requested = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100003', body: 'x', senderId: dedicated.data.requestSenderId.id } }, advanced);
    const operator = await stack.loginOperator();
    await stack.graphql(`mutation($id: ID!) { activateSenderId(id: $id) { status } }`, { id: dedicated.data.requestSenderId.id }, operator);
    await stack.graphql(`mutation($id: ID!, $s: [ID!]) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: false, allowedSenderIds: $s, contactAccess: ALL }) { id } }`, { id: membership, s: [tagId] }, hqAdmin);
    const notAllowed = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100003', body: 'x', senderId: dedicated.data.requestSenderId.id } }, advanced);
    const sharedPool = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100003', body: 'x' } }, advanced);
    const allowed = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100003', body: 'x', senderId: tagId } }, advanced);
    await stack.graphql(`mutation($id: ID!) { setMembershipLimits(membershipId: $id, limits: { allSenderIds: true, contactAccess: ALL }) { id } }`, { id: membership }, hqAdmin);

    // Assert
    expect(tag.data.requestSenderId.status).toBe('ACTIVE');
    expect(dedicated.data.requestSenderId.status).toBe('REQUESTED');
    expect(code(badTag)).toBe('BAD_USER_INPUT');
    expect(ownTag.data.sendMessage.accepted).toBe(1);
    expect([code(siblingTag), code(requested), code(notAllowed), code(sharedPool)]).toEqual(['SENDER_NOT_ALLOWED', 'SENDER_NOT_ALLOWED', 'SENDER_NOT_ALLOWED', 'SENDER_NOT_ALLOWED']);
    expect(allowed.data.sendMessage.accepted).toBe(1);
  });

  it('skips opted-out numbers (reported), and an opt-out keyword reply unsubscribes until an admin resubscribes', async () => {
    // Arrange
    const inbound = await stack.graphql(`mutation($a: ID!) { injectInboundMessage(accountId: $a, from: "+447400100004", body: " stop ") { optedOut confirmationMessageId } }`, { a: storeN1 }, hqAdmin);

    // Act
    const bulk = await stack.graphql(BULK, { input: { accountId: storeN1, to: ['+447400100004', '+447400100005', 'not a number'], body: 'Sale' } }, advanced);
    const single = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100004', body: 'Sale' } }, advanced);
    const byAdvanced = await stack.graphql(`mutation($a: ID!) { resubscribeContact(accountId: $a, phoneNumber: "+447400100004") }`, { a: storeN1 }, advanced);
    const byAdmin = await stack.graphql(`mutation($a: ID!) { resubscribeContact(accountId: $a, phoneNumber: "+447400100004") }`, { a: storeN1 }, hqAdmin);
    const after = await stack.graphql(SEND, { input: { accountId: storeN1, to: '+447400100004', body: 'Sale' } }, advanced);

    // Assert
    expect(inbound.data.injectInboundMessage.optedOut).toBe(true);
    expect(inbound.data.injectInboundMessage.confirmationMessageId).toBeTruthy();
    expect(bulk.data.sendBulk.accepted).toBe(1);
    expect(bulk.data.sendBulk.skipped).toEqual(expect.arrayContaining([{ recipient: '+447400100004', reason: 'OPTED_OUT' }, { recipient: 'not a number', reason: 'INVALID_PHONE_NUMBER' }]));
    expect(single.data.sendMessage).toMatchObject({ accepted: 0, costUnits: 0 });
    expect(code(byAdvanced)).toBe('FORBIDDEN');
    expect(byAdmin.data.resubscribeContact).toBe(true);
    expect(after.data.sendMessage.accepted).toBe(1);
  });

  it('enforces the daily SMS limit of an ancestor at its boundary, and refuses with OUTSIDE_LIMIT writing nothing', async () => {
    // Arrange: the whole North Region may send 3 more messages today
    const north = demoAccount('north').id;
    const used = Number((await stack.sql.query(`SELECT coalesce(max(used), 0) AS used FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = 'DAY'`, [north])).rows[0].used);
    await settings(north, { smsLimits: { daily: used + 3, monthly: null } });

    // Act
    const two = await stack.graphql(BULK, { input: { accountId: storeN1, to: [number(501), number(502)], body: 'x' } }, advanced);
    const tooMany = await stack.graphql(BULK, { input: { accountId: storeN1, to: [number(503), number(504)], body: 'x' } }, advanced);
    const last = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(505), body: 'x' } }, advanced);
    const over = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(506), body: 'x' } }, advanced);
    await settings(north, { smsLimits: { daily: null, monthly: null } });

    // Assert
    expect(two.data.sendBulk.accepted).toBe(2);
    expect(code(tooMany)).toBe('OUTSIDE_LIMIT');
    expect(tooMany.errors![0].extensions).toMatchObject({ limitOf: 'ANCESTOR', period: 'DAY' });
    expect(last.data.sendMessage.accepted).toBe(1);
    expect(code(over)).toBe('OUTSIDE_LIMIT');
    const written = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE recipient = ANY($1)`, [[number(503), number(504), number(506)]]);
    expect(written.rows[0].n).toBe(0);
  });

  it('the first sends of a tree: a refused one writes no entry, the first accepted one starts the tree\'s activity chain (SPEC I9, H5)', async () => {
    // Arrange: a new tree (root → region → store) with no messaging activity yet, the store allowed 1 message today
    const tree = await insertAccountTree(stack.sql, { size: 3, fanout: 1, name: 'First sends' });
    const [root, , store] = tree.accountIds;
    await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, root]);
    await stack.sql.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, 100)`, [root]);
    expect((await settings(store, { smsLimits: { daily: 1, monthly: null } })).errors).toBeUndefined();
    const entries = async () => Number((await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.activity_log WHERE tree_id = $1`, [root])).rows[0].n);

    // Act
    const tooMany = await stack.graphql(BULK, { input: { accountId: store, to: [number(601), number(602)], body: 'x' } }, hqAdmin);
    const entriesAfterRefusal = await entries();
    const first = await stack.graphql(SEND, { input: { accountId: store, to: number(603), body: 'x' } }, hqAdmin);
    const over = await stack.graphql(SEND, { input: { accountId: store, to: number(604), body: 'x' } }, hqAdmin);

    // Assert
    expect(code(tooMany)).toBe('OUTSIDE_LIMIT');
    expect(tooMany.errors![0].extensions).toMatchObject({ limitOf: 'ACCOUNT', period: 'DAY', limit: 1, used: 0 });
    expect(entriesAfterRefusal).toBe(0);
    expect(first.data.sendMessage.accepted).toBe(1);
    expect(code(over)).toBe('OUTSIDE_LIMIT');
    expect(over.errors![0].extensions).toMatchObject({ limitOf: 'ACCOUNT', period: 'DAY', limit: 1, used: 1 });
    expect(await entries()).toBe(1);
    expect(await verifyActivityLog(stack.db, 'messaging', root)).toMatchObject({ valid: true, checkedEntries: 1 });
    const counters = await stack.sql.query(`SELECT account_id, period_kind, used FROM messaging.sms_counters WHERE account_id = ANY($1::uuid[]) ORDER BY account_id, period_kind`, [tree.accountIds]);
    expect(counters.rows.every((row) => row.used === 1)).toBe(true);
    expect(counters.rows).toHaveLength(6);
    const written = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE account_id = $1`, [store]);
    expect(written.rows[0].n).toBe(1);
  });

  it('20 concurrent retries of one idempotency key write one batch, one message, one entry and one debit, and all get its answer', async () => {
    // Arrange
    const idempotencyKey = crypto.randomUUID();
    const input = { accountId: storeN2, to: number(701), body: 'Once', idempotencyKey };
    const count = async (sql: string) => Number((await stack.sql.query(sql, [idempotencyKey])).rows[0].n);

    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => stack.graphql(SEND, { input }, hqAdmin)));
    await stack.settleSendCredit();

    // Assert
    expect(answers.map((a) => a.errors)).toEqual(answers.map(() => undefined));
    const batchIds = new Set(answers.map((a) => a.data.sendMessage.batchId));
    expect(batchIds.size).toBe(1);
    expect(answers.every((a) => a.data.sendMessage.accepted === 1)).toBe(true);
    expect(await count(`SELECT count(*)::int AS n FROM messaging.send_batches WHERE idempotency_key = $1`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM messaging.messages m JOIN messaging.send_batches b ON b.id = m.batch_id WHERE b.idempotency_key = $1`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM messaging.activity_log a JOIN messaging.send_batches b ON b.id::text = a.target_id WHERE b.idempotency_key = $1`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM billing.reservations WHERE reference = 'send:' || $1 AND status = 'CAPTURED'`)).toBe(1);
    expect(await count(`SELECT count(*)::int AS n FROM billing.reservations WHERE reference = 'send:' || $1 AND status = 'HELD'`)).toBe(0);
  });

  it('schedules outside the sending window for the next allowed minute in the account timezone; cancelling releases the credit', async () => {
    // Arrange: a window that is closed now (yesterday's weekday only), in Tokyo time
    const tokyoWeekday = new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', weekday: 'long' }).format(new Date(Date.now() - 86_400_000)).toUpperCase();
    await settings(storeN1, { timezone: 'Asia/Tokyo', sendingWindow: { days: [tokyoWeekday], start: '09:00', end: '10:00' } });

    // Act
    const sent = await stack.graphql(BULK, { input: { accountId: storeN1, to: [number(20), number(21)], body: 'later' } }, advanced);
    const ids = sent.data.sendBulk.messageIds;
    const cancelOne = await stack.graphql(`mutation($id: ID!) { cancelMessage(id: $id) { status } }`, { id: ids[0] }, advanced);
    const held = await stack.sql.query(`SELECT r.status FROM billing.reservations r JOIN messaging.send_batches b ON b.reservation_id = r.id WHERE b.id = $1`, [sent.data.sendBulk.batchId]);
    const cancelTwo = await stack.graphql(`mutation($id: ID!) { cancelMessage(id: $id) { status } }`, { id: ids[1] }, advanced);
    const again = await stack.graphql(`mutation($id: ID!) { cancelMessage(id: $id) { status } }`, { id: ids[1] }, advanced);
    const released = await stack.sql.query(`SELECT r.status FROM billing.reservations r JOIN messaging.send_batches b ON b.reservation_id = r.id WHERE b.id = $1`, [sent.data.sendBulk.batchId]);
    await settings(storeN1, { clear: ['SENDING_WINDOW', 'TIMEZONE'] });

    // Assert
    expect(sent.data.sendBulk.status).toBe('SCHEDULED');
    const sendAt = new Date(sent.data.sendBulk.sendAt);
    expect(new Intl.DateTimeFormat('en-US', { timeZone: 'Asia/Tokyo', weekday: 'long', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(sendAt)).toBe(`${tokyoWeekday[0]}${tokyoWeekday.slice(1).toLowerCase()} 09:00`);
    expect(sendAt.getTime()).toBeGreaterThan(Date.now() + 5 * 86_400_000);
    expect(cancelOne.data.cancelMessage.status).toBe('CANCELLED');
    expect(held.rows[0].status).toBe('HELD');
    expect(cancelTwo.data.cancelMessage.status).toBe('CANCELLED');
    expect(code(again)).toBe('INVALID_STATE');
    expect(released.rows[0].status).toBe('RELEASED');
  });

  it('accepts exactly 50 of 200 concurrent sends against a daily limit of 50', async () => {
    // Arrange
    const store = demoAccount('store-s2').id;
    await settings(store, { smsLimits: { daily: 50, monthly: null } });
    const before = await messageRows(store);

    // Act
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => stack.graphql(SEND, { input: { accountId: store, to: number(1000 + i), body: `Concurrent ${i}` } }, hqAdmin)),
    );
    await stack.settleSendCredit();

    // Assert
    const accepted = results.filter((r) => r.data?.sendMessage?.accepted === 1).length;
    const refused = results.filter((r) => code(r) === 'OUTSIDE_LIMIT').length;
    expect({ accepted, refused }).toEqual({ accepted: 50, refused: 150 });
    expect(await messageRows(store)).toBe(before + 50);
    const counter = await stack.sql.query(`SELECT used FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = 'DAY'`, [store]);
    expect(counter.rows[0].used).toBe(50);
    const held = await stack.sql.query(`SELECT count(*)::int AS n FROM billing.reservations WHERE account_id = $1 AND status = 'HELD'`, [store]);
    expect(held.rows[0].n).toBe(0);
  });
});
