import type { DataSource } from 'typeorm';
import { DEMO_MESSAGES, demoAccount, demoId, demoUser } from '@platform/demo-data';

export async function seedMessagingDemo(dataSource: DataSource): Promise<void> {
  for (const [accountKey, userKey, count] of DEMO_MESSAGES) {
    for (let i = 0; i < count; i++) {
      await dataSource.query(
        `INSERT INTO messaging.messages (id, account_id, user_id, recipient, body, status)
         VALUES ($1, $2, $3, $4, $5, 'DELIVERED') ON CONFLICT (id) DO NOTHING`,
        [demoId(`message:${accountKey}:${userKey}:${i}`), demoAccount(accountKey).id, demoUser(userKey).id, `+4477009001${String(i).padStart(2, '0')}`, `Demo message ${i + 1}`],
      );
    }
  }
}
