import type { UsageChange } from '../reporting/usage';

export interface UsageRow {
  account_id: string;
  user_id: string | null;
  sender_id: string | null;
  usage_day: string | Date;
  parts?: number;
  cost_units?: number;
}

const day = (value: string | Date) => (typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10));

/** Sums per-message changes into one UsageChange per (account, user, sender, day). */
export function usageChanges<TRow extends UsageRow>(rows: TRow[], perRow: (row: TRow) => Pick<UsageChange, 'messages' | 'parts' | 'delivered' | 'failed' | 'costUnits'>): UsageChange[] {
  const byKey = new Map<string, UsageChange>();
  for (const row of rows) {
    const key = `${row.account_id}|${row.user_id}|${row.sender_id}|${day(row.usage_day)}`;
    const change = byKey.get(key) ?? { accountId: row.account_id, userId: row.user_id, senderId: row.sender_id, day: day(row.usage_day), messages: 0, parts: 0, delivered: 0, failed: 0, costUnits: 0 };
    const delta = perRow(row);
    change.messages += delta.messages;
    change.parts += delta.parts;
    change.delivered += delta.delivered;
    change.failed += delta.failed;
    change.costUnits += delta.costUnits;
    byKey.set(key, change);
  }
  return [...byKey.values()];
}
