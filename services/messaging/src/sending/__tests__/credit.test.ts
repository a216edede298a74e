import crypto from 'node:crypto';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';

jest.setTimeout(120_000);

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId accepted costUnits } }`;
const USER_LIMIT = `mutation($a: ID!, $u: ID!, $l: Int) { setUserCreditLimit(accountId: $a, userId: $u, limit: $l) { limit spent held remaining } }`;
const number = (i: number) => `+4474002${String(i).padStart(5, '0')}`;
/** A GSM-7 body of exactly `parts` SMS parts (160 characters in one part, 153 per part beyond). */
const bodyOf = (parts: number) => (parts === 1 ? 'x' : 'x'.repeat(153 * parts));

/** SPEC M2, B3, I6: a send is refused with INSUFFICIENT_CREDIT when any credit limit would be exceeded, and writes nothing. */
describe('sending against credit limits (SPEC M2, B3, I6)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  let advanced: string;
  const storeN1 = demoAccount('store-n1').id;
  const advancedId = demoUser('n1-advanced').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    advanced = await stack.login(demoUser('n1-advanced').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: demoAccount('hq').id }, hqAdmin);
  });
  afterAll(() => stack?.close());

  /** Everything a send writes, so a refusal can be shown to write nothing. */
  const footprint = async (accountId: string) =>
    (
      await stack.sql.query(
        `SELECT (SELECT count(*)::int FROM messaging.messages WHERE account_id = $1) AS messages,
                (SELECT count(*)::int FROM messaging.send_batches WHERE account_id = $1) AS batches,
                (SELECT coalesce(sum(used), 0)::int FROM messaging.sms_counters WHERE account_id = $1) AS counted,
                (SELECT count(*)::int FROM messaging.activity_log) AS activity,
                (SELECT count(*)::int FROM billing.reservations WHERE account_id = $1 AND status = 'HELD') AS held_reservations,
                (SELECT coalesce(sum(held), 0)::int FROM billing.balances) AS balance_held,
                (SELECT coalesce(sum(held), 0)::int FROM billing.user_limits) AS user_held,
                (SELECT coalesce(sum(held), 0)::int FROM billing.account_limits) AS account_held`,
        [accountId],
      )
    ).rows[0];
  const userCredit = async () =>
    (await stack.sql.query(`SELECT credit_limit::int AS limit, spent::int, held::int FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [storeN1, advancedId])).rows[0];

  it('binds a user limit set to what the user already spent; a lower limit is refused and leaves the old one in force', async () => {
    // Arrange: the user has already spent 3 units this month under the demo limit of 1000
    const spending = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(1), body: bodyOf(3) } }, advanced);
    await stack.settleSendCredit();
    const { spent } = await userCredit();

    // Act
    const belowSpent = await stack.graphql(USER_LIMIT, { a: storeN1, u: advancedId, l: spent - 1 }, hqAdmin);
    const unchanged = await userCredit();
    const atSpent = await stack.graphql(USER_LIMIT, { a: storeN1, u: advancedId, l: spent }, hqAdmin);
    const before = await footprint(storeN1);
    const refused = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(2), body: bodyOf(1) } }, advanced);

    // Assert
    expect(spending.data.sendMessage.costUnits).toBe(3);
    expect(code(belowSpent)).toBe('BAD_USER_INPUT');
    expect(unchanged).toEqual({ limit: 1000, spent, held: 0 });
    expect(atSpent.data.setUserCreditLimit).toEqual({ limit: spent, spent, held: 0, remaining: 0 });
    expect(code(refused)).toBe('INSUFFICIENT_CREDIT');
    expect(refused.errors![0].extensions).toMatchObject({ limit: 'USER_LIMIT', limitAccountId: storeN1, remaining: 0 });
    expect(await footprint(storeN1)).toEqual(before);
  });

  it('accepts sends up to the user limit exactly and refuses one unit more, writing nothing', async () => {
    // Arrange: 3 units left on the user's limit
    const { spent } = await userCredit();
    await stack.graphql(USER_LIMIT, { a: storeN1, u: advancedId, l: spent + 3 }, hqAdmin);

    // Act
    const two = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(10), body: bodyOf(2) } }, advanced);
    await stack.settleSendCredit();
    const afterTwo = await footprint(storeN1);
    const twoMore = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(11), body: bodyOf(2) } }, advanced);
    const afterRefusal = await footprint(storeN1);
    const last = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(12), body: bodyOf(1) } }, advanced);
    await stack.settleSendCredit();
    const afterLast = await footprint(storeN1);
    const oneMore = await stack.graphql(SEND, { input: { accountId: storeN1, to: number(13), body: bodyOf(1) } }, advanced);

    // Assert
    expect(two.data.sendMessage.costUnits).toBe(2);
    expect(code(twoMore)).toBe('INSUFFICIENT_CREDIT');
    expect(twoMore.errors![0].extensions).toMatchObject({ limit: 'USER_LIMIT', remaining: 1 });
    expect(afterRefusal).toEqual(afterTwo);
    expect(last.data.sendMessage.costUnits).toBe(1);
    expect(code(oneMore)).toBe('INSUFFICIENT_CREDIT');
    expect(oneMore.errors![0].extensions).toMatchObject({ limit: 'USER_LIMIT', remaining: 0 });
    expect(await footprint(storeN1)).toEqual(afterLast);
    expect(await userCredit()).toEqual({ limit: spent + 3, spent: spent + 3, held: 0 });
    const written = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE recipient = ANY($1)`, [[number(11), number(13)]]);
    expect(written.rows[0].n).toBe(0);
  });

  it('accepts sends up to the paying balance exactly and refuses one unit more, writing nothing', async () => {
    // Arrange: Store S2 pays from its own balance of 4 units
    const storeS2 = demoAccount('store-s2').id;
    const own = await stack.graphql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: storeS2 }, hqAdmin);
    const funded = await stack.graphql(
      `mutation($input: TransferInput!) { transferBalance(input: $input) { units } }`,
      { input: { fromAccountId: demoAccount('hq').id, toAccountId: storeS2, units: 4, idempotencyKey: crypto.randomUUID() } },
      hqAdmin,
    );

    // Act
    const three = await stack.graphql(SEND, { input: { accountId: storeS2, to: number(20), body: bodyOf(3) } }, hqAdmin);
    await stack.settleSendCredit();
    const afterThree = await footprint(storeS2);
    const two = await stack.graphql(SEND, { input: { accountId: storeS2, to: number(21), body: bodyOf(2) } }, hqAdmin);
    const afterRefusal = await footprint(storeS2);
    const last = await stack.graphql(SEND, { input: { accountId: storeS2, to: number(22), body: bodyOf(1) } }, hqAdmin);
    await stack.settleSendCredit();
    const afterLast = await footprint(storeS2);
    const oneMore = await stack.graphql(SEND, { input: { accountId: storeS2, to: number(23), body: bodyOf(1) } }, hqAdmin);

    // Assert
    expect([own.errors, funded.errors]).toEqual([undefined, undefined]);
    expect(three.data.sendMessage.costUnits).toBe(3);
    expect(code(two)).toBe('INSUFFICIENT_CREDIT');
    expect(two.errors![0].extensions).toMatchObject({ limit: 'BALANCE', limitAccountId: storeS2, remaining: 1 });
    expect(afterRefusal).toEqual(afterThree);
    expect(last.data.sendMessage.costUnits).toBe(1);
    expect(code(oneMore)).toBe('INSUFFICIENT_CREDIT');
    expect(oneMore.errors![0].extensions).toMatchObject({ limit: 'BALANCE', remaining: 0 });
    expect(await footprint(storeS2)).toEqual(afterLast);
    const balance = await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [storeS2]);
    expect(balance.rows[0]).toEqual({ units: 0, held: 0 });
  });

  it('releases the credit hold when a check after the reservation refuses the send', async () => {
    // Arrange: Store N2 may send no more messages today; credit is plentiful
    const storeN2 = demoAccount('store-n2').id;
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { smsLimits: { daily: 0, monthly: null } }) { id } }`, { id: storeN2 }, hqAdmin);
    const before = await footprint(storeN2);
    const idempotencyKey = crypto.randomUUID();

    // Act
    const refused = await stack.graphql(SEND, { input: { accountId: storeN2, to: number(30), body: bodyOf(2), idempotencyKey } }, hqAdmin);

    // Assert
    expect(code(refused)).toBe('OUTSIDE_LIMIT');
    const reservation = await stack.sql.query(`SELECT status, units::int FROM billing.reservations WHERE reference = $1`, [`send:${idempotencyKey}`]);
    expect(reservation.rows).toEqual([{ status: 'RELEASED', units: 2 }]);
    expect(await footprint(storeN2)).toEqual(before);
  });
});
