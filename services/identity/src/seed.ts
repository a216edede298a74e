import type { DataSource } from 'typeorm';
import { DEMO_PASSWORD, DEMO_USERS, demoAccount, demoId } from '@platform/demo-data';
import { hashPassword } from './sessions/passwords';

export async function seedIdentityDemo(dataSource: DataSource): Promise<void> {
  const existing: { id: string }[] = await dataSource.query(`SELECT id FROM identity.users WHERE id = ANY($1::uuid[])`, [DEMO_USERS.map((u) => u.id)]);
  const known = new Set(existing.map((r) => r.id));
  for (const user of DEMO_USERS) {
    if (!known.has(user.id)) {
      await dataSource.query(
        `INSERT INTO identity.users (id, email, name, password_hash) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [user.id, user.email, user.name, await hashPassword(DEMO_PASSWORD)],
      );
    }
    for (const membership of user.memberships) {
      await dataSource.query(
        `INSERT INTO identity.memberships (id, user_id, account_id, role) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [demoId(`membership:${user.key}:${membership.accountKey}`), user.id, demoAccount(membership.accountKey).id, membership.role],
      );
    }
  }
}
