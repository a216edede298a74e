import crypto from 'node:crypto';
import type { DataSource } from 'typeorm';
import { verifyActivityLog } from '@platform/audit';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { codeOf as code } from '@platform/testing';
import { createMessagingDataSource } from '../../data-source';
import { drainUsageOutbox } from '../../reporting/usage-outbox';
import { rawSubtreeTotals } from '../../reporting/__tests__/usage-fixtures';

jest.setTimeout(180_000);

const SEND = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted costUnits } }`;
const BURST = 200;
const LIMIT_IN_THE_MIDDLE = 100;

/**
 * Issue 19: 200 single sends racing into one tree through the gateway, with the binding limit in the
 * middle of the burst, for each kind of limit a send checks. Exactly the limit is accepted, the rest
 * are refused with the limit's code and write nothing; afterwards no hold is left, the tree's
 * activity chain verifies, the ledger
 * reconciles with the balances (as billing's reconcileLedger checks), and the rollups (applied from the outbox) equal the raw messages.
 */
describe('a busy tree keeps every limit exact (issue 19; SPEC M2, B3, I6, R1)', () => {
  let stack: TestStack;
  let dataSource: DataSource;
  let hqAdmin: string;
  const hq = demoAccount('hq').id;

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW] }) { id } }`, { id: hq }, hqAdmin);
    dataSource = createMessagingDataSource(stack.database.url, { poolSize: 2 });
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await stack?.close();
  });

  const admin = <T>(query: string, variables: Record<string, unknown>) => stack.graphql<T>(query, variables, hqAdmin);
  const count = async (sql: string, parameters: unknown[]) => Number((await stack.sql.query(sql, parameters)).rows[0].n);
  const messagesOf = (accounts: string[]) => count(`SELECT count(*)::int AS n FROM messaging.messages WHERE account_id = ANY($1::uuid[])`, [accounts]);
  const activityEntries = () => count(`SELECT count(*)::int AS n FROM messaging.activity_log WHERE action = 'sendMessage'`, []);
  const heldReservations = () => count(`SELECT count(*)::int AS n FROM billing.reservations WHERE status = 'HELD'`, []);

  /** BURST sends at once, spread over `stores` in turn, each of one SMS part (one credit unit), then their credit captured. */
  async function burst(stores: string[], token: string) {
    const results = await Promise.all(
      Array.from({ length: BURST }, (_, i) => stack.graphql(SEND, { input: { accountId: stores[i % stores.length], to: `+4474009${String(i).padStart(5, '0')}`, body: `Burst ${i}` } }, token)),
    );
    // The delivery worker's round after the burst: the accepted sends' credit is captured.
    await stack.settleSendCredit();
    const accepted = results.filter((r) => r.data?.sendMessage?.accepted === 1).length;
    const refusals = results
      .filter((r) => r.errors)
      .map((r) => {
        const { period, limit } = r.errors![0].extensions as { period?: string; limit?: unknown };
        return `${code(r)}:${period ?? String(limit)}`;
      });
    return { accepted, refusals: [...new Set(refusals)], refused: refusals.length };
  }

  /** What must hold after every burst: no hold left, the ledger and the rollups agree with the rows they summarise. */
  async function expectConsistent() {
    expect(await heldReservations()).toBe(0);
    // The tree's activity chain took every accepted send in turn (SPEC I9).
    expect((await verifyActivityLog(stack.db, 'messaging', hq)).problems).toEqual([]);
    // The ledger reconciles (SPEC B2): every balance is the sum of its BALANCE entries, every movement sums to zero, nothing stays held.
    expect(
      await count(
        `SELECT count(*)::int AS n FROM billing.balances b
          WHERE b.held <> 0 OR b.units <> (SELECT coalesce(sum(l.units), 0) FROM billing.ledger_entries l WHERE l.book = 'BALANCE' AND l.paying_account_id = b.account_id)`,
        [],
      ),
    ).toBe(0);
    expect(await count(`SELECT count(*)::int AS n FROM (SELECT movement_id FROM billing.ledger_entries GROUP BY 1 HAVING sum(units) <> 0) m`, [])).toBe(0);
    expect(await count(`SELECT (SELECT count(*) FROM billing.account_limits WHERE held <> 0) + (SELECT count(*) FROM billing.user_limits WHERE held <> 0) AS n`, [])).toBe(0);
    // Two aggregators side by side: each change is applied once (SKIP LOCKED, delete and apply in one transaction).
    await Promise.all([drainUsageOutbox(dataSource), drainUsageOutbox(dataSource)]);
    expect(await count(`SELECT count(*)::int AS n FROM messaging.usage_outbox`, [])).toBe(0);
    const accounts = (await stack.sql.query(`SELECT id FROM hierarchy.accounts WHERE root_id = $1`, [hq])).rows.map((r) => r.id as string);
    const raw = await rawSubtreeTotals(stack.sql, accounts);
    const { rows: rolled } = await stack.sql.query(
      `SELECT t.id AS account_id, coalesce(sum(s.messages), 0)::int AS messages, coalesce(sum(s.parts), 0)::int AS parts,
              coalesce(sum(s.delivered), 0)::int AS delivered, coalesce(sum(s.failed), 0)::int AS failed, coalesce(sum(s.cost_units), 0)::int AS "costUnits"
         FROM unnest($1::uuid[]) AS t(id) LEFT JOIN messaging.usage_subtree_daily s ON s.ancestor_id = t.id GROUP BY t.id`,
      [accounts],
    );
    expect(new Map(rolled.map(({ account_id, ...measures }) => [account_id, measures]))).toEqual(raw);
  }

  it('SMS limit: a daily limit on the region in the middle of the burst accepts exactly that many', async () => {
    // Arrange: the South region may send LIMIT_IN_THE_MIDDLE more messages today, from its two stores
    const south = demoAccount('south').id;
    const stores = [demoAccount('store-s1').id, demoAccount('store-s2').id];
    const usedToday = await count(`SELECT coalesce(sum(used), 0)::int AS n FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = 'DAY'`, [south]);
    await admin(`mutation($id: ID!, $d: Int) { updateAccountSettings(id: $id, input: { smsLimits: { daily: $d, monthly: null } }) { id } }`, { id: south, d: usedToday + LIMIT_IN_THE_MIDDLE });
    const [messagesBefore, activityBefore] = [await messagesOf(stores), await activityEntries()];

    // Act
    const result = await burst(stores, hqAdmin).finally(() =>
      admin(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SMS_LIMITS] }) { id } }`, { id: south }),
    );

    // Assert
    expect(result).toEqual({ accepted: LIMIT_IN_THE_MIDDLE, refused: BURST - LIMIT_IN_THE_MIDDLE, refusals: ['OUTSIDE_LIMIT:DAY'] });
    expect(await messagesOf(stores)).toBe(messagesBefore + LIMIT_IN_THE_MIDDLE);
    expect(await activityEntries()).toBe(activityBefore + LIMIT_IN_THE_MIDDLE);
    expect(await count(`SELECT used AS n FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = 'DAY' ORDER BY period_start DESC LIMIT 1`, [south])).toBe(usedToday + LIMIT_IN_THE_MIDDLE);
    await expectConsistent();
  });

  it('account credit limit: a limit on the region in the middle of the burst accepts exactly that many', async () => {
    // Arrange: the North region's credit limit leaves LIMIT_IN_THE_MIDDLE units, spent by its two stores
    const north = demoAccount('north').id;
    const stores = [demoAccount('store-n1').id, demoAccount('store-n2').id];
    const spent = await count(`SELECT coalesce(sum(spent), 0)::int AS n FROM billing.account_limits WHERE account_id = $1`, [north]);
    expect((await admin(`mutation($a: ID!, $l: Int) { setCreditLimit(accountId: $a, limit: $l) { id } }`, { a: north, l: spent + LIMIT_IN_THE_MIDDLE })).errors).toBeUndefined();
    const messagesBefore = await messagesOf(stores);

    // Act
    const result = await burst(stores, hqAdmin);
    const limit = (await stack.sql.query(`SELECT credit_limit::int, spent::int, held::int FROM billing.account_limits WHERE account_id = $1`, [north])).rows[0];
    await admin(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: null) { id } }`, { a: north });

    // Assert
    expect(result).toEqual({ accepted: LIMIT_IN_THE_MIDDLE, refused: BURST - LIMIT_IN_THE_MIDDLE, refusals: ['INSUFFICIENT_CREDIT:ACCOUNT_LIMIT'] });
    expect(await messagesOf(stores)).toBe(messagesBefore + LIMIT_IN_THE_MIDDLE);
    expect(limit).toEqual({
      credit_limit: spent + LIMIT_IN_THE_MIDDLE,
      spent: spent + LIMIT_IN_THE_MIDDLE,
      held: 0,
    });
    await expectConsistent();
  });

  it('user credit limit: a limit in the middle of the burst accepts exactly that many', async () => {
    // Arrange: the store's advanced user may spend LIMIT_IN_THE_MIDDLE more units (set by the head-office admin)
    const store = demoAccount('store-n1').id;
    const user = demoUser('n1-advanced');
    const advanced = await stack.login(user.email);
    const spent = await count(`SELECT coalesce(sum(spent), 0)::int AS n FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [store, user.id]);
    const set = await admin(`mutation($a: ID!, $u: ID!, $l: Int) { setUserCreditLimit(accountId: $a, userId: $u, limit: $l) { limit } }`, { a: store, u: user.id, l: spent + LIMIT_IN_THE_MIDDLE });
    expect(set.errors).toBeUndefined();
    const messagesBefore = await messagesOf([store]);

    // Act
    const result = await burst([store], advanced);

    // Assert
    expect(result).toEqual({ accepted: LIMIT_IN_THE_MIDDLE, refused: BURST - LIMIT_IN_THE_MIDDLE, refusals: ['INSUFFICIENT_CREDIT:USER_LIMIT'] });
    expect(await messagesOf([store])).toBe(messagesBefore + LIMIT_IN_THE_MIDDLE);
    expect((await stack.sql.query(`SELECT spent::int, held::int FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [store, user.id])).rows[0]).toEqual({
      spent: spent + LIMIT_IN_THE_MIDDLE,
      held: 0,
    });
    await expectConsistent();
  });

  it('balance: a paying balance that runs out in the middle of the burst accepts exactly that many', async () => {
    // Arrange: Store S2 pays from its own balance, funded with LIMIT_IN_THE_MIDDLE units
    const store = demoAccount('store-s2').id;
    expect((await admin(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: store })).errors).toBeUndefined();
    const funded = await admin(`mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`, {
      i: { fromAccountId: hq, toAccountId: store, units: LIMIT_IN_THE_MIDDLE, idempotencyKey: crypto.randomUUID() },
    });
    expect(funded.errors).toBeUndefined();
    const messagesBefore = await messagesOf([store]);

    // Act
    const result = await burst([store], hqAdmin);

    // Assert
    expect(result).toEqual({ accepted: LIMIT_IN_THE_MIDDLE, refused: BURST - LIMIT_IN_THE_MIDDLE, refusals: ['INSUFFICIENT_CREDIT:BALANCE'] });
    expect(await messagesOf([store])).toBe(messagesBefore + LIMIT_IN_THE_MIDDLE);
    expect((await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [store])).rows[0]).toEqual({ units: 0, held: 0 });
    await expectConsistent();
  });
});
