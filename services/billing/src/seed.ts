import type { DataSource } from 'typeorm';
import { DEMO_BALANCES, demoAccount } from '@platform/demo-data';

export async function seedBillingDemo(dataSource: DataSource): Promise<void> {
  for (const [accountKey, units] of DEMO_BALANCES) {
    await dataSource.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, $2) ON CONFLICT (account_id) DO NOTHING`, [
      demoAccount(accountKey).id,
      units,
    ]);
  }
}
