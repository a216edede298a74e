import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';
import { lockChainForSpending } from '@platform/authz';

jest.setTimeout(180_000);

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { batchId accepted costUnits } }`;
const MOVE = `mutation($id: ID!, $to: ID!) { moveAccount(id: $id, newParentId: $to) { id } }`;
const number = (i: number) => `+4474007${String(i).padStart(5, '0')}`;

/**
 * SPEC H7, M2, B3: a send racing moves of its account is decided on one version of the account's
 * chain: the SMS counters messaging increments and the limits billing holds are those of the same
 * parent, for every accepted message.
 */
describe('sends racing moves of their account (SPEC H7, M2, B3)', () => {
  let stack: TestStack;
  let hqAdmin: string;
  const hq = demoAccount('hq').id;
  const north = demoAccount('north').id;
  const south = demoAccount('south').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: hq }, hqAdmin);
  });
  afterAll(() => stack?.close());

  const counted = async (accountId: string) =>
    Number((await stack.sql.query(`SELECT coalesce(sum(used), 0) AS n FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = 'DAY'`, [accountId])).rows[0].n);

  it('every accepted message is counted in messaging on exactly the parent whose limit billing charged', async () => {
    // Arrange: a store under North that moves back and forth between North and South, both with a
    // credit limit (so each reservation records which of them it holds)
    const created = await stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Pop-up store" }) { id } }`, { p: north }, hqAdmin);
    const moving: string = created.data.createSubAccount.id;
    for (const parent of [north, south]) {
      const limited = await stack.graphql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 100000) { id } }`, { a: parent }, hqAdmin);
      expect(limited.errors).toBeUndefined();
    }
    const before = { north: await counted(north), south: await counted(south) };

    // Act: 10 lanes of sends (16 each, and on until the moves lane has moved 12 times: how many sends
    // that takes depends on how fast they are) and one lane of moves (every 50-150 ms while the sends last), all at once
    let sending = true;
    let moved = 0;
    const sends = Promise.all(
      Array.from({ length: 10 }, (_, lane) =>
        (async () => {
          const answers = [];
          for (let i = 0; i < 100 && (i < 16 || moved < 12); i++) answers.push(await stack.graphql(SEND, { input: { accountId: moving, to: number(lane * 100 + i), body: 'Race' } }, hqAdmin));
          return answers;
        })(),
      ),
    ).finally(() => (sending = false));
    const moves = (async () => {
      const answers = [];
      for (let i = 0; sending; i++, moved++) {
        answers.push(await stack.graphql(MOVE, { id: moving, to: i % 2 === 0 ? south : north }, hqAdmin));
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
      return answers;
    })();
    const [sendAnswers, moveAnswers] = await Promise.all([sends.then((lanes) => lanes.flat()), moves]);

    // Assert: every send is accepted or refused as retryable; every move succeeded
    expect(moveAnswers.length).toBeGreaterThan(10);
    expect(moveAnswers.map((a) => a.errors)).toEqual(moveAnswers.map(() => undefined));
    const refusals = sendAnswers.filter((a) => a.errors).map((a) => ({ code: code(a), retryable: a.errors![0].extensions!.retryable }));
    expect(refusals).toEqual(refusals.map(() => ({ code: 'CHAIN_CHANGED', retryable: true })));
    const acceptedBatches = sendAnswers.filter((a) => !a.errors).map((a) => a.data.sendMessage.batchId as string);
    const charged = await stack.sql.query(
      `SELECT r.limited_account_ids::text[] AS limited, b.units FROM messaging.send_batches b JOIN billing.reservations r ON r.id = b.reservation_id WHERE b.id = ANY($1::uuid[])`,
      [acceptedBatches],
    );
    expect(charged.rows).toHaveLength(acceptedBatches.length);
    const chargedOn = (parent: string) => charged.rows.filter((r) => r.limited.includes(parent)).length;
    expect(charged.rows.every((r) => r.limited.includes(north) !== r.limited.includes(south))).toBe(true);
    expect({ north: (await counted(north)) - before.north, south: (await counted(south)) - before.south }).toEqual({ north: chargedOn(north), south: chargedOn(south) });
    expect(chargedOn(north)).toBeGreaterThan(0);
    expect(chargedOn(south)).toBeGreaterThan(0);
  });

  it('after a move the new ancestors\' SMS and credit limits bind the moved account; what the old ones counted stays counted there', async () => {
    // Arrange: two regions; Region A allows 2 messages a day, Region B 1 message and 2 credit units.
    // The pop-up store spends Region A's daily allowance, then moves to Region B.
    const create = async (parentId: string, name: string) =>
      (await stack.graphql(`mutation($p: ID!, $n: String!) { createSubAccount(input: { parentId: $p, name: $n }) { id } }`, { p: parentId, n: name }, hqAdmin)).data.createSubAccount.id as string;
    const regionA = await create(hq, 'Region A');
    const regionB = await create(hq, 'Region B');
    const store = await create(regionA, 'Travelling store');
    const sibling = await create(regionA, 'Staying store');
    const limit = (id: string, daily: number) =>
      stack.graphql(`mutation($id: ID!, $d: Int) { updateAccountSettings(id: $id, input: { smsLimits: { daily: $d, monthly: null } }) { id } }`, { id, d: daily }, hqAdmin);
    await limit(regionA, 2);
    await limit(regionB, 1);
    await limit(store, 10); // its own limit, so only the regions' subtree counters bind it
    await stack.graphql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 100) { id } }`, { a: regionA }, hqAdmin);
    await stack.graphql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 2) { id } }`, { a: regionB }, hqAdmin);
    const sendFrom = (accountId: string, i: number) => stack.graphql(SEND, { input: { accountId, to: number(5000 + i), body: 'Moved' } }, hqAdmin);
    const spentBefore = [await sendFrom(store, 1), await sendFrom(store, 2)];
    const refusedUnderA = await sendFrom(store, 3);
    const moved = await stack.graphql(MOVE, { id: store, to: regionB }, hqAdmin);

    // Act
    const firstUnderB = await sendFrom(store, 4);
    const secondUnderB = await sendFrom(store, 5);
    await limit(regionB, 10);
    const lastCreditOfB = await sendFrom(store, 6);
    const beyondCreditOfB = await sendFrom(store, 7);
    const siblingUnderA = await sendFrom(sibling, 8);
    await stack.settleSendCredit();

    // Assert: Region B's limits bind from the move on, Region A's budget is not refunded
    expect([...spentBefore, moved, firstUnderB, lastCreditOfB].map((a) => a.errors)).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(refusedUnderA.errors![0].extensions).toMatchObject({ code: 'OUTSIDE_LIMIT', limitOf: 'ANCESTOR', limit: 2, used: 2 });
    expect(secondUnderB.errors![0].extensions).toMatchObject({ code: 'OUTSIDE_LIMIT', limitOf: 'ANCESTOR', limit: 1, used: 1 });
    expect(beyondCreditOfB.errors![0].extensions).toMatchObject({ code: 'INSUFFICIENT_CREDIT', limit: 'ACCOUNT_LIMIT', remaining: 0 });
    expect(siblingUnderA.errors![0].extensions).toMatchObject({ code: 'OUTSIDE_LIMIT', limitOf: 'ANCESTOR', limit: 2, used: 2 });
    expect({ a: await counted(regionA), b: await counted(regionB), store: await counted(store) }).toEqual({ a: 2, b: 2, store: 4 });
    const credit = async (id: string) => (await stack.graphql(`query($id: ID!) { account(id: $id) { billing { creditLimit { spent held } } } }`, { id }, hqAdmin)).data.account.billing.creditLimit;
    expect({ a: await credit(regionA), b: await credit(regionB) }).toEqual({ a: { spent: 2, held: 0 }, b: { spent: 2, held: 0 } });
    // Usage reports, unlike budgets, describe the tree as it is now: the store's history moved to Region B.
    const today = new Date();
    const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const usage = async (id: string) =>
      (await stack.graphql(`query($id: ID!, $f: Date!, $t: Date!) { account(id: $id) { usage(from: $f, to: $t) { totals { messages } } } }`, { id, f: day(-1), t: day(1) }, hqAdmin)).data.account.usage.totals.messages;
    expect({ a: await usage(regionA), b: await usage(regionB) }).toEqual({ a: 0, b: 4 });
  });

  it('the chain spent on is read after the move lock: a move that commits while the send waits for the lock is seen (one statement)', async () => {
    // Arrange: a move of a store from North to South holds its tree's move lock, uncommitted
    const created = await stack.graphql(`mutation($p: ID!) { createSubAccount(input: { parentId: $p, name: "Waiting store" }) { id } }`, { p: north }, hqAdmin);
    const store: string = created.data.createSubAccount.id;
    const move = await stack.sql.connect();
    const spender = await stack.sql.connect();
    try {
      await move.query('BEGIN');
      await move.query(`SELECT pg_advisory_xact_lock(hashtextextended('usage:' || $1::text, 0))`, [hq]);
      await move.query(`UPDATE hierarchy.accounts SET parent_id = $2, path = ARRAY[$3, $2, $1]::uuid[] WHERE id = $1`, [store, south, hq]);
      await spender.query('BEGIN');
      const [{ pid }] = (await spender.query('SELECT pg_backend_pid() AS pid')).rows;

      // Act: the spender asks for the chain, waits for the lock, then the move commits
      const locked = lockChainForSpending({ query: async (sql: string, parameters?: unknown[]) => (await spender.query(sql, parameters)).rows }, store);
      while ((await stack.sql.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1 AND wait_event_type = 'Lock'`, [pid])).rows.length === 0) await new Promise((resolve) => setImmediate(resolve));
      await move.query('COMMIT');
      const chain = await locked;

      // Assert: the chain after the move, not the one of the statement's start
      expect(chain).toMatchObject({ id: store, parentId: south, path: [hq, south, store], chainStatus: 'ACTIVE' });
    } finally {
      await spender.query('ROLLBACK');
      await move.query('ROLLBACK').catch(() => undefined);
      spender.release();
      move.release();
    }
  });
});
