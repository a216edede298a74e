import type { AccountChain } from '@platform/authz';
import type { Sql } from '@platform/db';
import { AppError } from '@platform/errors';
import { localDate } from './sending-window';

/**
 * Daily and monthly SMS limits (SPEC H5) of the account and of each ancestor: every account on the
 * path counts the messages of its whole subtree per local day and month (its own timezone), and its
 * effective limits cap those counts.
 *
 * One statement checks and counts (issue 19): an upsert whose conditional DO UPDATE adds `count`
 * only where the sum stays within the limit; a row it leaves out (or a new row already over its
 * limit) refuses the send, and the caller's transaction rolls every counter back. Rows are upserted
 * root first, day before month, so concurrent sends queue instead of deadlocking. The send calls it
 * last, just before its activity entry and commit, so the counters of a busy tree (the root's
 * above all) are held for one statement and the commit only. Slots are not needed here: with the
 * lock held that briefly, a tree's counters pass several hundred sends a second, more than the
 * rest of a send allows on this hardware (bench/README.md, send path).
 */
export async function consumeSmsLimits(
  tx: Sql,
  chain: AccountChain,
  settingsPath: { timezone: string; smsLimits: { daily: number | null; monthly: number | null } }[],
  now: Date,
  count: number,
): Promise<void> {
  if (count === 0) return;
  const keys = chain.path.flatMap((accountId, depth) => {
    const { timezone, smsLimits } = settingsPath[depth];
    const day = localDate(now, timezone);
    return [
      { accountId, kind: 'DAY', start: day, limit: smsLimits.daily, depth },
      { accountId, kind: 'MONTH', start: `${day.slice(0, 7)}-01`, limit: smsLimits.monthly, depth },
    ];
  });
  const params = [keys.map((k) => k.accountId), keys.map((k) => k.kind), keys.map((k) => k.start), keys.map((k) => k.limit)];
  const counted: { ord: string; used: number }[] = await tx.query(
    `WITH k AS (SELECT * FROM unnest($1::uuid[], $2::text[], $3::date[], $4::int[]) WITH ORDINALITY AS k(account_id, period_kind, period_start, cap, ord))
     INSERT INTO messaging.sms_counters AS c (account_id, period_kind, period_start, used)
     SELECT account_id, period_kind, period_start, $5 FROM k ORDER BY ord
     ON CONFLICT (account_id, period_kind, period_start) DO UPDATE SET used = c.used + excluded.used
      WHERE c.used + excluded.used <= coalesce((SELECT k.cap FROM k WHERE k.account_id = c.account_id AND k.period_kind = c.period_kind AND k.period_start = c.period_start), 2147483647)
     RETURNING (SELECT k.ord FROM k WHERE k.account_id = c.account_id AND k.period_kind = c.period_kind AND k.period_start = c.period_start) AS ord, c.used`,
    [...params, count],
  );
  const usedAfter = new Map(counted.map((row) => [Number(row.ord), row.used]));
  const over = keys.findIndex((key, i) => !usedAfter.has(i + 1) || (key.limit !== null && usedAfter.get(i + 1)! > key.limit));
  if (over < 0) return;
  const key = keys[over];
  const [row]: { used: number }[] = await tx.query(`SELECT used FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = $2 AND period_start = $3`, [key.accountId, key.kind, key.start]);
  const used = usedAfter.has(over + 1) ? row.used - count : row.used;
  // An ancestor is named only by position: the caller may not see it (SPEC H3).
  throw new AppError('OUTSIDE_LIMIT', `The ${key.kind === 'DAY' ? 'daily' : 'monthly'} SMS limit of ${key.limit} messages would be exceeded`, {
    limitOf: key.accountId === chain.id ? 'ACCOUNT' : 'ANCESTOR',
    period: key.kind,
    limit: key.limit ?? undefined,
    used,
  });
}
