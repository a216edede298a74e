import type { AccountChain } from '@platform/authz';
import type { Sql } from '@platform/db';
import { AppError } from '@platform/errors';
import { localDate } from './sending-window';

/**
 * Daily and monthly SMS limits (SPEC H5) of the account and of each ancestor: every account on the
 * path counts the messages of its whole subtree per local day and month (its own timezone), and its
 * effective limits cap those counts. Counter rows are locked root first, day before month, so
 * concurrent sends queue instead of deadlocking, and the check and the increment are one decision.
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
  const params = [keys.map((k) => k.accountId), keys.map((k) => k.kind), keys.map((k) => k.start)];
  await tx.query(
    `INSERT INTO messaging.sms_counters (account_id, period_kind, period_start)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::date[]) ON CONFLICT DO NOTHING`,
    params,
  );
  const rows: { account_id: string; period_kind: string; used: number; ord: number }[] = await tx.query(
    `SELECT c.account_id, c.period_kind, c.used, k.ord FROM messaging.sms_counters c
       JOIN unnest($1::uuid[], $2::text[], $3::date[]) WITH ORDINALITY AS k(account_id, period_kind, period_start, ord)
         ON c.account_id = k.account_id AND c.period_kind = k.period_kind AND c.period_start = k.period_start
      ORDER BY k.ord FOR UPDATE OF c`,
    params,
  );
  for (const row of rows) {
    const key = keys[Number(row.ord) - 1];
    if (key.limit !== null && row.used + count > key.limit) {
      // An ancestor is named only by position: the caller may not see it (SPEC H3).
      throw new AppError('OUTSIDE_LIMIT', `The ${key.kind === 'DAY' ? 'daily' : 'monthly'} SMS limit of ${key.limit} messages would be exceeded`, {
        limitOf: key.accountId === chain.id ? 'ACCOUNT' : 'ANCESTOR',
        period: key.kind,
        limit: key.limit,
        used: row.used,
      });
    }
  }
  await tx.query(
    `UPDATE messaging.sms_counters c SET used = c.used + $4
       FROM unnest($1::uuid[], $2::text[], $3::date[]) AS k(account_id, period_kind, period_start)
      WHERE c.account_id = k.account_id AND c.period_kind = k.period_kind AND c.period_start = k.period_start`,
    [...params, count],
  );
}
