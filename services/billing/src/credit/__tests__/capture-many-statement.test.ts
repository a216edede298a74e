import type { DataSource } from 'typeorm';
import { AccessControl } from '@platform/authz';
import type { BillingClient } from '@platform/billing-client';
import { QueryCounter } from '@platform/db';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { billingClientFor, expectConsistentLedger } from '../../__tests__/billing-test-kit';
import { createBillingDataSource } from '../../data-source';
import { CreditService } from '../service';

/**
 * The delivery worker's captures of a round in one statement (store.ts captureHeldMany, issue 19):
 * captures of two trees, two of them on the same limits, user limit and balance, each row moved once by
 * their sum, the ledger rows of each capture carrying the balance after it, one low-balance event from
 * the capture that crossed the threshold. Chains: HQ → North (own balance: pays) → Store N1 (account
 * limit; n1-advanced's user limit), and Acme → Acme Payroll (Acme pays).
 */
jest.setTimeout(60_000);

describe('captureMany: the held reservations of a round in one statement', () => {
  let stack: TestStack;
  let client: BillingClient;
  let dataSource: DataSource;
  let credit: CreditService;
  const statements = new QueryCounter();
  const north = demoAccount('north').id;
  const store = demoAccount('store-n1').id;
  const acme = demoAccount('acme').id;
  const payroll = demoAccount('acme-payroll').id;
  const user = demoUser('n1-advanced').id;

  const rows = async () => ({
    userLimit: (await stack.sql.query(`SELECT spent::int, held::int FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [store, user])).rows[0],
    accountLimit: (await stack.sql.query(`SELECT spent::int, held::int FROM billing.account_limits WHERE account_id = $1`, [store])).rows[0],
    north: (await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [north])).rows[0],
    acme: (await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [acme])).rows[0],
  });
  const reserve = (accountId: string, userId: string | null, units: number, key: string) => client.reserve({ accountId, userId, units, idempotencyKey: key, reference: `batch-${key}` });

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    client = billingClientFor(stack);
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    const gql = (query: string, variables: Record<string, unknown>) => stack.graphql(query, variables, hqAdmin);
    await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: north });
    await gql(`mutation($a: ID!, $u: ID!, $l: Int) { setUserCreditLimit(accountId: $a, userId: $u, limit: $l) { limit } }`, { a: store, u: user, l: 1000 });
    await gql(`mutation($a: ID!, $l: Int) { setCreditLimit(accountId: $a, limit: $l) { id } }`, { a: store, l: 1000 });
    await gql(`mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`, { i: { fromAccountId: demoAccount('hq').id, toAccountId: north, units: 100, idempotencyKey: 'fund-north-100' } });
    await stack.sql.query(`UPDATE billing.balances SET low_balance_threshold = 95 WHERE account_id = $1`, [north]);
    dataSource = createBillingDataSource(stack.database.url, { poolSize: 2, queryCounter: statements });
    await dataSource.initialize();
    const access = new AccessControl({ kind: 'SERVICE', id: 'test', actingAccountId: null, sessionId: null }, dataSource);
    credit = new CreditService(dataSource, (id) => access.chains.load(id));
  });
  afterAll(async () => {
    await dataSource.destroy();
    await stack.close();
  });

  it('captures reservations of two trees in one statement, each hot row moved by their sum and the ledger in the order asked', async () => {
    // Arrange
    const first = await reserve(store, user, 5, 'many-statement-1');
    const second = await reserve(store, user, 7, 'many-statement-2');
    const other = await reserve(payroll, null, 3, 'many-statement-3');
    const before = await rows();
    statements.reset();

    // Act
    const outcomes = await credit.captureMany([{ reservationId: first.id }, { reservationId: second.id, units: 4 }, { reservationId: other.id }]);

    // Assert
    expect(statements.count).toBe(1);
    expect(outcomes.map((o) => [o.reservation?.status, o.reservation?.capturedUnits, o.error, o.autoTopUpAccountId])).toEqual([
      ['CAPTURED', 5, null, null],
      ['CAPTURED', 4, null, null],
      ['CAPTURED', 3, null, null],
    ]);
    expect(await rows()).toEqual({
      userLimit: { spent: before.userLimit.spent + 9, held: before.userLimit.held - 12 },
      accountLimit: { spent: before.accountLimit.spent + 9, held: before.accountLimit.held - 12 },
      north: { units: before.north.units - 9, held: before.north.held - 12 },
      acme: { units: before.acme.units - 3, held: before.acme.held - 3 },
    });
    const ledger = await stack.sql.query(
      `SELECT reference, units::int, balance_after::int FROM billing.ledger_entries WHERE paying_account_id = $1 AND book = 'BALANCE' AND kind = 'USAGE' ORDER BY id`,
      [north],
    );
    expect(ledger.rows).toEqual([
      { reference: 'batch-many-statement-1', units: -5, balance_after: 95 },
      { reference: 'batch-many-statement-2', units: -4, balance_after: 91 },
    ]);
    const events = await stack.sql.query(`SELECT data FROM billing.outbox WHERE type = 'billing.low_balance' AND account_id = $1`, [north]);
    expect(events.rows).toEqual([{ data: { balance: 91, threshold: 95 } }]);
    await expectConsistentLedger(stack);
  });

  it('answers a released reservation, an id asked twice and a capture already made as capture() does, beside the ones it captures', async () => {
    // Arrange
    const held = await reserve(store, user, 2, 'many-statement-4');
    const released = await reserve(store, user, 2, 'many-statement-5');
    const captured = await reserve(store, user, 2, 'many-statement-6');
    await client.release(released.id);
    const [done] = await client.captureMany([{ reservationId: captured.id }]);
    const before = await rows();

    // Act
    const outcomes = await client.captureMany([{ reservationId: held.id }, { reservationId: released.id }, { reservationId: held.id.toUpperCase(), units: 1 }, { reservationId: captured.id }]);

    // Assert
    expect(outcomes.map((o) => [o.reservation?.status ?? null, o.reservation?.capturedUnits ?? null, o.error?.code ?? null])).toEqual([
      ['CAPTURED', 2, null],
      [null, null, 'RESERVATION_RELEASED'],
      ['CAPTURED', 2, null],
      ['CAPTURED', 2, null],
    ]);
    expect(outcomes[3].reservation).toEqual(done.reservation);
    expect((await rows()).north).toEqual({ units: before.north.units - 2, held: before.north.held - 2 });
    await expectConsistentLedger(stack);
  });
});
