import type { DataSource } from 'typeorm';
import { DEMO_BALANCES, demoAccount, demoUser } from '@platform/demo-data';
import { postMovement } from './credit/store';
import { inTransaction, queryRows } from '@platform/db';

/** Demo trees: Retail Chain HQ prepaid (with limits), Acme postpaid with a 5000-unit ceiling. */
const POSTPAID = new Set(['acme']);
const ACCOUNT_LIMITS: [string, number][] = [
  ['north', 20_000],
  ['store-s1', 5_000],
];
const USER_LIMITS: [string, string, number, boolean][] = [
  ['store-n1', 'n1-advanced', 1_000, true],
  ['store-n1-marketing', 'n1-marketing', 200, true],
];

/** Idempotent: an account's opening movement is written only when its balance row is created. */
export async function seedBillingDemo(dataSource: DataSource): Promise<void> {
  for (const [accountKey, units] of DEMO_BALANCES) {
    const accountId = demoAccount(accountKey).id;
    const postpaid = POSTPAID.has(accountKey);
    await inTransaction(dataSource, async (tx) => {
      const created = await queryRows(tx,
        `INSERT INTO billing.balances (account_id, units, mode, credit_ceiling) VALUES ($1, 0, $2, $3)
         ON CONFLICT (account_id) DO NOTHING RETURNING account_id`,
        [accountId, postpaid ? 'POSTPAID' : 'PREPAID', postpaid ? units : 0],
      );
      if (created.length === 0) return;
      await postMovement(tx, {
        kind: postpaid ? 'CREDIT_CEILING' : 'OPENING',
        idempotencyKey: `opening:${accountId}`,
        lines: [
          { book: 'BALANCE', payingAccountId: accountId, units },
          { book: postpaid ? 'CREDIT_LINE' : 'PAYMENTS', payingAccountId: accountId, units: -units },
        ],
      });
    });
  }
  for (const [accountKey, limit] of ACCOUNT_LIMITS) {
    await dataSource.query(`INSERT INTO billing.account_limits (account_id, credit_limit) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      demoAccount(accountKey).id,
      limit,
    ]);
  }
  for (const [accountKey, userKey, limit, monthly] of USER_LIMITS) {
    await dataSource.query(
      `INSERT INTO billing.user_limits (account_id, user_id, credit_limit, renewal_amount, period_start)
       VALUES ($1, $2, $3, $4, date_trunc('month', now() AT TIME ZONE 'UTC')::date) ON CONFLICT DO NOTHING`,
      [demoAccount(accountKey).id, demoUser(userKey).id, limit, monthly ? limit : null],
    );
  }
}
