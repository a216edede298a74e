import type { DataSource } from 'typeorm';
import { DEMO_ACCOUNTS } from '@platform/demo-data';

/** Inserts the demo tree; existing rows are left alone, so restarts do not duplicate anything. */
export async function seedHierarchyDemo(dataSource: DataSource): Promise<void> {
  const byKey = new Map<string, { id: string; path: string[]; depth: number; rootId: string }>();
  for (const account of DEMO_ACCOUNTS) {
    const parent = account.parentKey ? byKey.get(account.parentKey)! : null;
    const path = parent ? [...parent.path, account.id] : [account.id];
    const entry = { id: account.id, path, depth: path.length - 1, rootId: path[0] };
    byKey.set(account.key, entry);
    await dataSource.query(
      `INSERT INTO hierarchy.accounts (id, parent_id, root_id, path, depth, name)
       VALUES ($1, $2, $3, $4::uuid[], $5, $6) ON CONFLICT (id) DO NOTHING`,
      [account.id, parent?.id ?? null, entry.rootId, path, entry.depth, account.name],
    );
  }
  const hq = byKey.get('hq')!;
  await dataSource.query(
    `INSERT INTO hierarchy.account_settings (account_id, overrides) VALUES ($1, $2::jsonb) ON CONFLICT (account_id) DO NOTHING`,
    [hq.id, JSON.stringify({ timezone: 'Europe/London', sendingWindow: { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'], start: '08:00', end: '20:00' } })],
  );
}
