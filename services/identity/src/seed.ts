import type { DataSource } from 'typeorm';
import { DEMO_PASSWORD, DEMO_USERS, demoAccount, demoId, DEMO_OPERATOR } from '@platform/demo-data';
import { hashPassword } from './sessions/passwords';

export async function seedIdentityDemo(dataSource: DataSource): Promise<void> {
  const operator = await dataSource.query(`SELECT 1 FROM identity.operators WHERE id = $1`, [DEMO_OPERATOR.id]);
  if (operator.length === 0) {
    await dataSource.query(`INSERT INTO identity.operators (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, [
      DEMO_OPERATOR.id,
      DEMO_OPERATOR.email,
      DEMO_OPERATOR.name,
      DEMO_OPERATOR.role,
      await hashPassword(DEMO_PASSWORD),
    ]);
  }
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
