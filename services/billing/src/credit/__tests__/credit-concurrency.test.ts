import type { BillingClient, CreditReservation } from '@platform/billing-client';
import { AppError } from '@platform/errors';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { billingClientFor, expectConsistentLedger, openBillingProcess } from '../../__tests__/billing-test-kit';

/**
 * SPEC B3 under real concurrency: 200 parallel reservations per round against a chain where the
 * user limit, the sub-account limit and the paying (parent) balance are each the binding limit in turn.
 * Chain: HQ → North (own balance: pays) → Store N1 (sub-account limit); n1-advanced has a user limit on Store N1.
 */
jest.setTimeout(120_000);

describe('credit reservations under concurrency (SPEC B3)', () => {
  let stack: TestStack;
  let client: BillingClient;
  let hqAdmin: string;
  const hq = demoAccount('hq').id;
  const north = demoAccount('north').id;
  const store = demoAccount('store-n1').id;
  const user = demoUser('n1-advanced').id;
  const BINDING_REMAINING = 60;
  const ROOMY = 5_000;

  const gql = async (query: string, variables: Record<string, unknown>) => {
    const response = await stack.graphql(query, variables, hqAdmin);
    if (response.errors) throw new Error(JSON.stringify(response.errors));
    return response.data;
  };

  async function state() {
    const balance = (await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [north])).rows[0];
    const limit = (await stack.sql.query(`SELECT credit_limit::int, spent::int, held::int FROM billing.account_limits WHERE account_id = $1`, [store])).rows[0];
    const userLimit = (
      await stack.sql.query(`SELECT credit_limit::int, spent::int, held::int FROM billing.user_limits WHERE account_id = $1 AND user_id = $2`, [store, user])
    ).rows[0];
    const none = { credit_limit: 0, spent: 0, held: 0 };
    return { balance, limit: limit ?? none, userLimit: userLimit ?? none };
  }

  /** Sets each limit so that the binding one leaves BINDING_REMAINING units and the others plenty. */
  async function arrange(binding: 'USER_LIMIT' | 'ACCOUNT_LIMIT' | 'BALANCE', round: number) {
    const { balance, limit, userLimit } = await state();
    const remaining = (kind: string) => (kind === binding ? BINDING_REMAINING : ROOMY);
    await gql(`mutation($a: ID!, $u: ID!, $l: Int) { setUserCreditLimit(accountId: $a, userId: $u, limit: $l) { limit } }`, {
      a: store,
      u: user,
      l: userLimit.spent + userLimit.held + remaining('USER_LIMIT'),
    });
    await gql(`mutation($a: ID!, $l: Int) { setCreditLimit(accountId: $a, limit: $l) { id } }`, { a: store, l: limit.spent + limit.held + remaining('ACCOUNT_LIMIT') });
    const delta = remaining('BALANCE') - (balance.units - balance.held);
    if (delta !== 0) {
      await gql(`mutation($i: TransferInput!) { transferBalance(input: $i) { id } }`, {
        i: { fromAccountId: delta > 0 ? hq : north, toAccountId: delta > 0 ? north : hq, units: Math.abs(delta), idempotencyKey: `arrange-${round}` },
      });
    }
  }

  async function reserveMany(round: number, n = 200) {
    return Promise.all(
      Array.from({ length: n }, (_, i) =>
        client
          .reserve({ accountId: store, userId: user, units: 1 + (i % 3), idempotencyKey: `round-${round}-${i}`, reference: `batch-${round}-${i}` })
          .then((r): CreditReservation | AppError => r)
          .catch((error: unknown) => {
            if (error instanceof AppError) return error;
            throw error;
          }),
      ),
    );
  }

  /** Captures two thirds (some partially) and releases the rest, all in parallel. */
  async function settle(granted: CreditReservation[]): Promise<number> {
    const settled = await Promise.all(
      granted.map((r, i) => (i % 3 === 2 ? client.release(r.id) : client.capture(r.id, i % 3 === 1 ? r.units - 1 : undefined))),
    );
    return settled.reduce((sum, r) => sum + r.capturedUnits, 0);
  }

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    client = billingClientFor(stack);
    hqAdmin = await stack.login(demoUser('hq-admin').email);
    await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: north });
  });
  afterAll(() => stack.close());

  // 9 rounds: each of the three limits binds in three rounds of 200 racing reservations (1,800 in all).
  it('9 rounds of 200 parallel reservations never exceed the binding limit, lose or double a debit', async () => {
    const bindings = ['USER_LIMIT', 'ACCOUNT_LIMIT', 'BALANCE'] as const;
    for (let round = 0; round < 9; round++) {
      // Arrange
      const binding = bindings[round % 3];
      await arrange(binding, round);
      const before = await state();

      // Act
      const results = await reserveMany(round);
      const granted = results.filter((r): r is CreditReservation => !(r instanceof AppError));
      const refused = results.filter((r): r is AppError => r instanceof AppError);
      const heldUnits = granted.reduce((sum, r) => sum + r.units, 0);
      const captured = await settle(granted);

      // Assert: the binding limit holds exactly, refusals name it, and the books balance
      expect(heldUnits).toBeLessThanOrEqual(BINDING_REMAINING);
      expect(heldUnits).toBeGreaterThan(BINDING_REMAINING - 3);
      expect(refused.length).toBeGreaterThan(0);
      expect(refused.filter((e) => e.code !== 'INSUFFICIENT_CREDIT').map((e) => `${e.code}: ${e.message}`)).toEqual([]);
      expect(new Set(refused.map((e) => `${e.code}:${e.extensions.limit}`))).toEqual(new Set([`INSUFFICIENT_CREDIT:${binding}`]));
      const after = await state();
      expect(after.balance.units).toBe(before.balance.units - captured);
      expect(after.balance.units).toBeGreaterThanOrEqual(0);
      expect(after.limit.spent).toBe(before.limit.spent + captured);
      expect(after.userLimit.spent).toBe(before.userLimit.spent + captured);
      expect([after.balance.held, after.limit.held, after.userLimit.held]).toEqual([0, 0, 0]);
      const usage = await stack.sql.query(
        `SELECT coalesce(-sum(units), 0)::int AS units, count(*)::int AS n FROM billing.ledger_entries WHERE book = 'BALANCE' AND kind = 'USAGE' AND reference LIKE $1`,
        [`batch-${round}-%`],
      );
      expect(usage.rows[0].units).toBe(captured);
      expect(usage.rows[0].n).toBe(granted.filter((r, i) => i % 3 !== 2 && (i % 3 !== 1 || r.units > 1)).length);
      await expectConsistentLedger(stack);
    }
  });

  it('a monthly renewal racing with 200 reservations and 4 renewing processes happens once', async () => {
    // Arrange: the user's limit is used up in a period that has ended
    await arrange('USER_LIMIT', 100);
    await stack.sql.query(
      `UPDATE billing.user_limits SET renewal_amount = $3, credit_limit = $3, spent = $3, period_start = (period_start - interval '1 month')::date
        WHERE account_id = $1 AND user_id = $2`,
      [store, user, BINDING_REMAINING],
    );
    const { userLimit: before } = await state();
    const processes = await Promise.all([1, 2, 3, 4].map(() => openBillingProcess(stack)));

    // Act
    const [results, renewals] = await Promise.all([
      reserveMany(100),
      Promise.all(processes.map((p) => p.credit.renewDueUserLimits())),
    ]);
    const granted = results.filter((r): r is CreditReservation => !(r instanceof AppError));
    const captured = await settle(granted);
    await Promise.all(processes.map((p) => p.dataSource.destroy()));

    // Assert
    const heldUnits = granted.reduce((sum, r) => sum + r.units, 0);
    const refusals = results.filter((r): r is AppError => r instanceof AppError).map((e) => `${e.code}:${e.extensions.limit}`);
    expect(new Set(refusals)).toEqual(new Set(['INSUFFICIENT_CREDIT:USER_LIMIT']));
    expect(heldUnits).toBeLessThanOrEqual(before.credit_limit);
    expect(heldUnits).toBeGreaterThan(before.credit_limit - 3);
    const rows = await stack.sql.query(`SELECT period_start FROM billing.user_limit_renewals WHERE account_id = $1 AND user_id = $2`, [store, user]);
    expect(rows.rowCount).toBe(1);
    expect(renewals.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1);
    const { userLimit: after } = await state();
    expect(after.spent).toBe(captured);
    await expectConsistentLedger(stack);
  });
});
