import type { PoolClient } from 'pg';
import type { DataSource } from 'typeorm';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { billingClientFor, openBillingProcess } from '../../__tests__/billing-test-kit';
import { reserveOnChain } from '../store';

/**
 * The send path's one-statement reservation (store.ts reserveOnChain) when a hot row it must lock was
 * changed by a transaction that commits while the statement waits for that row: the statement decides on
 * the newest version (the one it locks) and holds on it. Before, PostgreSQL checked the tables' CHECKs on
 * the version of the statement's snapshot plus the hold, and refused a covered hold with a CHECK
 * violation (seen as INTERNAL_SERVER_ERROR when monthly renewals raced with reservations).
 * Chain: HQ → North (own balance: pays) → Store N1 (sub-account limit); n1-advanced has a user limit on Store N1.
 */
jest.setTimeout(60_000);

describe('the one-statement reservation decides and holds on the rows it locks', () => {
  let stack: TestStack;
  let billing: { dataSource: DataSource };
  const north = demoAccount('north').id;
  const store = demoAccount('store-n1').id;
  const user = demoUser('n1-advanced').id;

  const rows = async () => ({
    userLimit: (await stack.sql.query(`SELECT credit_limit::int, spent::int, held::int FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [store, user])).rows[0],
    accountLimit: (await stack.sql.query(`SELECT credit_limit::int, spent::int, held::int FROM billing.account_limits WHERE account_id = $1`, [store])).rows[0],
    balance: (await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [north])).rows[0],
  });

  /** Every limit and the balance roomy, then `tight` applied (outside any transaction). */
  async function arrange(tight: string) {
    await stack.sql.query(`UPDATE billing.user_limits SET credit_limit = 1000, spent = 0, held = 0 WHERE account_id = $1 AND user_id = $2`, [store, user]);
    await stack.sql.query(`UPDATE billing.account_limits SET credit_limit = 1000, spent = 0, held = 0 WHERE account_id = $1`, [store]);
    await stack.sql.query(`UPDATE billing.balances SET units = 1000, held = 0 WHERE account_id = $1`, [north]);
    await stack.sql.query(tight, []);
  }

  /** Runs `change` in a transaction, starts the reservation, and commits once the reservation waits on a row lock. */
  async function reserveWhileCommitting(change: string, key: string) {
    const other: PoolClient = await stack.sql.connect();
    try {
      await other.query('BEGIN');
      await other.query(change);
      const reservation = reserveOnChain(
        billing.dataSource as never,
        { accountId: store, userId: user, units: 3, idempotencyKey: key, reference: key, holdSeconds: 60, expectedPath: null },
        '1970-01-01',
      );
      await waitUntilBlocked(other);
      await other.query('COMMIT');
      return await reservation;
    } finally {
      other.release();
    }
  }

  /** Polls until a backend waits for the row lock `other` holds (its transaction id). */
  async function waitUntilBlocked(other: PoolClient) {
    const { pid } = (await other.query(`SELECT pg_backend_pid() AS pid`)).rows[0];
    for (let attempt = 0; attempt < 500; attempt++) {
      const waiting = await stack.sql.query(`SELECT 1 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))`, [pid]);
      if (waiting.rowCount) return;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the reservation never waited for the row lock');
  }

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const gql = (query: string, variables: Record<string, unknown>) => stack.graphql(query, variables, hqAdmin);
    await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: north });
    await gql(`mutation($a: ID!, $u: ID!, $l: Int) { setUserCreditLimit(accountId: $a, userId: $u, limit: $l) { limit } }`, { a: store, u: user, l: 1000 });
    await gql(`mutation($a: ID!, $l: Int) { setCreditLimit(accountId: $a, limit: $l) { id } }`, { a: store, l: 1000 });
    billing = await openBillingProcess(stack);
  });
  afterAll(async () => {
    await billing.dataSource.destroy();
    await stack.close();
  });

  it('holds on a user limit a monthly renewal emptied while it waited', async () => {
    // Arrange: the user limit used up (60 of 60); the renewal takes spent back to 0 while the reservation waits
    await arrange(`UPDATE billing.user_limits SET credit_limit = 60, spent = 60 WHERE account_id = '${store}' AND user_id = '${user}'`);

    // Act
    const result = await reserveWhileCommitting(`UPDATE billing.user_limits SET spent = 0 WHERE account_id = '${store}' AND user_id = '${user}'`, 'renewed');

    // Assert
    expect(result.created?.units).toBe('3');
    expect((await rows()).userLimit).toEqual({ credit_limit: 60, spent: 0, held: 3 });
  });

  it('holds on a sub-account limit a release freed while it waited', async () => {
    // Arrange: 50 of 50 held; the release takes held back to 0 while the reservation waits
    await arrange(`UPDATE billing.account_limits SET credit_limit = 50, held = 50 WHERE account_id = '${store}'`);

    // Act
    const result = await reserveWhileCommitting(`UPDATE billing.account_limits SET held = 0 WHERE account_id = '${store}'`, 'released');

    // Assert
    expect(result.created?.units).toBe('3');
    expect((await rows()).accountLimit).toEqual({ credit_limit: 50, spent: 0, held: 3 });
  });

  it('holds on a balance a top-up raised while it waited', async () => {
    // Arrange: 10 units, all held; the top-up adds 100 while the reservation waits
    await arrange(`UPDATE billing.balances SET units = 10, held = 10 WHERE account_id = '${north}'`);

    // Act
    const result = await reserveWhileCommitting(`UPDATE billing.balances SET units = units + 100 WHERE account_id = '${north}'`, 'topped-up');

    // Assert
    expect(result.created?.units).toBe('3');
    expect((await rows()).balance).toEqual({ units: 110, held: 13 });
  });

  it('still refuses, writing nothing, when the committed change leaves too little', async () => {
    // Arrange: 58 of 60 spent; the other transaction spends one more while the reservation waits
    await arrange(`UPDATE billing.user_limits SET credit_limit = 60, spent = 56 WHERE account_id = '${store}' AND user_id = '${user}'`);

    // Act
    const result = await reserveWhileCommitting(`UPDATE billing.user_limits SET spent = 58 WHERE account_id = '${store}' AND user_id = '${user}'`, 'too-little');

    // Assert: refused on the newest row (58 + 3 > 60), as the refusal's rows say, and nothing held
    expect(result.created).toBeNull();
    expect(result.userLimits[0]).toMatchObject({ spent: '58', held: '0', credit_limit: '60' });
    expect(await rows()).toEqual({
      userLimit: { credit_limit: 60, spent: 58, held: 0 },
      accountLimit: { credit_limit: 1000, spent: 0, held: 0 },
      balance: { units: 1000, held: 0 },
    });
  });

  it('through the billing client, a reservation racing a renewal is granted', async () => {
    // Arrange
    await arrange(`UPDATE billing.user_limits SET credit_limit = 60, spent = 60 WHERE account_id = '${store}' AND user_id = '${user}'`);
    const client = billingClientFor(stack);
    const other: PoolClient = await stack.sql.connect();
    await other.query('BEGIN');
    await other.query(`UPDATE billing.user_limits SET spent = 0 WHERE account_id = '${store}' AND user_id = '${user}'`);

    // Act
    const reservation = client.reserve({ accountId: store, userId: user, units: 3, idempotencyKey: 'client-renewed', reference: 'client-renewed' });
    await waitUntilBlocked(other);
    await other.query('COMMIT');
    other.release();
    const granted = await reservation;
    await client.release(granted.id);

    // Assert
    expect(granted).toMatchObject({ units: 3, status: 'HELD' });
    expect((await rows()).userLimit).toEqual({ credit_limit: 60, spent: 0, held: 0 });
  });
});
