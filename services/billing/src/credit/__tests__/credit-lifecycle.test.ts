import { spawn } from 'node:child_process';
import path from 'node:path';
import type { BillingClient } from '@platform/billing-client';
import { AppError } from '@platform/errors';
import { demoAccount } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { sweepBilling } from '../../sweeper';
import { billingClientFor, count, expectConsistentLedger, openBillingProcess } from '../../__tests__/billing-test-kit';

jest.setTimeout(60_000);

describe('credit reservations: idempotency, expiry, crashes (SPEC B2, B3)', () => {
  let stack: TestStack;
  let client: BillingClient;
  const hq = demoAccount('hq').id;
  const store = demoAccount('store-n2').id;

  const balanceOf = async (accountId: string) =>
    (await stack.sql.query(`SELECT units::int, held::int FROM billing.balances WHERE account_id = $1`, [accountId])).rows[0];

  const waitUntilExpired = async (reservationId: string) => {
    for (;;) {
      const { rows } = await stack.sql.query(`SELECT expires_at <= now() AS expired FROM billing.reservations WHERE id = $1`, [reservationId]);
      if (rows[0].expired) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    stack = await startTestStack({ env: { BILLING_SWEEP_INTERVAL_MS: '0' } });
    client = billingClientFor(stack);
  });
  afterAll(() => stack.close());

  it('50 concurrent replays of one idempotency key have one effect and identical answers', async () => {
    // Arrange
    const before = await balanceOf(hq);
    const input = { accountId: store, userId: null, units: 7, idempotencyKey: 'replayed-key', reference: 'batch-replayed' };

    // Act
    const answers = await Promise.all(Array.from({ length: 50 }, () => client.reserve(input)));
    const captures = await Promise.all(Array.from({ length: 20 }, () => client.capture(answers[0].id)));
    const reused = await client.reserve({ ...input, units: 8 }).catch((error: AppError) => error);

    // Assert
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(new Set(captures.map((c) => JSON.stringify(c))).size).toBe(1);
    expect(captures[0]).toMatchObject({ status: 'CAPTURED', capturedUnits: 7 });
    expect((await stack.sql.query(`SELECT count(*)::int AS n FROM billing.reservations WHERE idempotency_key = 'replayed-key'`)).rows[0].n).toBe(1);
    expect((await balanceOf(hq)).units).toBe(before.units - 7);
    expect(reused).toBeInstanceOf(AppError);
    expect((reused as AppError).code).toBe('IDEMPOTENCY_KEY_REUSED');
    await expectConsistentLedger(stack);
  });

  it('captureMany captures each held reservation once and answers a released one with its refusal, without stopping the others', async () => {
    // Arrange
    const before = await balanceOf(hq);
    const reserve = (key: string, units: number) => client.reserve({ accountId: store, userId: null, units, idempotencyKey: key, reference: `batch-${key}` });
    const [first, released, second] = [await reserve('many-1', 4), await reserve('many-2', 5), await reserve('many-3', 6)];
    await client.release(released.id);

    // Act
    const outcomes = await client.captureMany([{ reservationId: first.id }, { reservationId: released.id }, { reservationId: second.id, units: 2 }]);
    const replayed = await client.captureMany([{ reservationId: first.id }]);

    // Assert
    expect(outcomes.map((o) => [o.reservationId, o.reservation?.status ?? null, o.reservation?.capturedUnits ?? null, o.error?.code ?? null])).toEqual([
      [first.id, 'CAPTURED', 4, null],
      [released.id, null, null, 'RESERVATION_RELEASED'],
      [second.id, 'CAPTURED', 2, null],
    ]);
    expect(replayed[0].reservation).toEqual(outcomes[0].reservation);
    expect(await balanceOf(hq)).toEqual({ units: before.units - 6, held: before.held });
    await expectConsistentLedger(stack);
  });

  it('a reservation left uncaptured is released by the sweeper and can no longer be captured', async () => {
    // Arrange
    const before = await balanceOf(hq);
    const reservation = await client.reserve({ accountId: store, userId: null, units: 30, idempotencyKey: 'left-alone', reference: 'batch-left', holdSeconds: 1 });
    expect((await balanceOf(hq)).held).toBe(before.held + 30);
    await waitUntilExpired(reservation.id);
    const sweeper = await openBillingProcess(stack);

    // Act
    const sweep = await sweepBilling(sweeper.dataSource, stack.config);
    await sweeper.dataSource.destroy();
    const late = await client.capture(reservation.id).catch((error: AppError) => error);

    // Assert
    expect(sweep.releasedReservations).toBe(1);
    const { rows } = await stack.sql.query(`SELECT status FROM billing.reservations WHERE id = $1`, [reservation.id]);
    expect(rows[0].status).toBe('EXPIRED');
    expect((late as AppError).code).toBe('RESERVATION_EXPIRED');
    expect(await balanceOf(hq)).toEqual(before);
    await expectConsistentLedger(stack);
  });

  it('a billing process killed with SIGKILL mid-capture leaves a consistent ledger', async () => {
    // Arrange
    const ledgerRowsBefore = await count(stack, 'ledger_entries');
    const worker = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'fixtures', 'capture-worker.ts')], {
      env: { ...process.env, DATABASE_URL: stack.database.url, ACCOUNT_ID: store },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => worker.on('exit', (_code, signal) => resolve(signal)));

    // Act: kill it while its four lanes are reserving and capturing (a worker that died on its own fails the assertions below)
    await new Promise<void>((resolve) => {
      void exited.then(() => resolve());
      let captured = 0;
      worker.stdout!.on('data', (chunk: Buffer) => {
        captured += chunk.toString().split('\n').filter((l) => l.startsWith('captured')).length;
        if (captured >= 40) resolve();
      });
    });
    worker.kill('SIGKILL');
    const signal = await exited;

    // The worker's sessions end once PostgreSQL notices its socket is gone: a reservation or capture
    // (each one statement outside a transaction) in flight at the kill commits or not by then.
    while (Number((await stack.sql.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = 'crash-worker'`)).rows[0].n) > 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Assert: consistent at once, and after the sweeper released the orphaned holds
    expect(signal).toBe('SIGKILL');
    expect(await count(stack, 'ledger_entries')).toBeGreaterThan(ledgerRowsBefore);
    await expectConsistentLedger(stack);
    const held = await stack.sql.query(`SELECT id FROM billing.reservations WHERE status = 'HELD' ORDER BY expires_at DESC LIMIT 1`);
    if (held.rows[0]) await waitUntilExpired(held.rows[0].id);
    const sweeper = await openBillingProcess(stack);
    await sweepBilling(sweeper.dataSource, stack.config);
    await sweeper.dataSource.destroy();
    expect(await count(stack, "reservations WHERE status = 'HELD'")).toBe(0);
    await expectConsistentLedger(stack);
  });
});
