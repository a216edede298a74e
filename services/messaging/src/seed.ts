import type { DataSource } from 'typeorm';
import { DEMO_MESSAGES, demoAccount, demoId, demoUser } from '@platform/demo-data';
import { applyUsageChanges, type UsageChange } from './reporting';

/** Demo messages (delivered), counted into the usage rollups in the same transaction; idempotent. */
export async function seedMessagingDemo(dataSource: DataSource): Promise<void> {
  await dataSource.transaction(async (tx) => {
    const changes: UsageChange[] = [];
    for (const [accountKey, userKey, count] of DEMO_MESSAGES) {
      for (let i = 0; i < count; i++) {
        const inserted: { account_id: string; user_id: string; sender_id: string | null; usage_day: string; parts: number; cost_units: number }[] = await tx.query(
          `INSERT INTO messaging.messages (id, account_id, user_id, recipient, body, status)
           VALUES ($1, $2, $3, $4, $5, 'DELIVERED') ON CONFLICT (id) DO NOTHING
           RETURNING account_id, user_id, sender_id, to_char(usage_day, 'YYYY-MM-DD') AS usage_day, parts, cost_units`,
          [demoId(`message:${accountKey}:${userKey}:${i}`), demoAccount(accountKey).id, demoUser(userKey).id, `+4477009001${String(i).padStart(2, '0')}`, `Demo message ${i + 1}`],
        );
        for (const row of inserted) {
          changes.push({
            accountId: row.account_id,
            userId: row.user_id,
            senderId: row.sender_id,
            day: row.usage_day,
            messages: 1,
            parts: row.parts,
            delivered: 1,
            failed: 0,
            costUnits: row.cost_units,
          });
        }
      }
    }
    if (changes.length > 0) await applyUsageChanges(tx, changes);
  });
}
