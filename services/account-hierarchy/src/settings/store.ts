import type { Sql } from '@platform/db';
import { loadSettingOverrides, type SettingName, type SettingValues } from '@platform/authz';

/** A sending window as stored and validated (its days are Weekday names). */
export type StoredSendingWindow = NonNullable<SettingValues['sendingWindow']>;

/** The settings overrides of the given accounts (the shared H5 read model). */
export function findSettingOverrides(db: Sql, accountIds: readonly string[]): Promise<Map<string, Partial<SettingValues>>> {
  return loadSettingOverrides(db, accountIds);
}

/** The account's own overrides as stored ({} when it has none). */
export async function ownOverridesOf(db: Sql, accountId: string): Promise<unknown> {
  const rows: { overrides: unknown }[] = await db.query(`SELECT overrides FROM hierarchy.account_settings WHERE account_id = $1`, [accountId]);
  return rows[0]?.overrides ?? {};
}

export async function writeSettings(db: Sql, accountId: string, set: Partial<SettingValues>, clear: SettingName[]): Promise<void> {
  await db.query(
    `INSERT INTO hierarchy.account_settings (account_id, overrides) VALUES ($1, $2::jsonb - $3::text[])
     ON CONFLICT (account_id) DO UPDATE
       SET overrides = (hierarchy.account_settings.overrides || $2::jsonb) - $3::text[], updated_at = now()`,
    [accountId, JSON.stringify(set), clear],
  );
}
