import type { AccountChain } from '@platform/authz';
import type { Sql } from '@platform/db';
import { AppError } from '@platform/errors';
import { localDate } from './sending-window';

/**
 * Daily and monthly SMS limits (SPEC H5) of the account and of each ancestor: every account on the
 * path counts the messages of its whole subtree per local day and month (its own timezone), and its
 * effective limits cap those counts.
 *
 * One conditional upsert checks and counts (issue 19): its DO UPDATE adds `count` only where the sum
 * stays within the limit; a row it leaves out (or a new row already over its limit) refuses the
 * send, and the caller's transaction rolls every counter back. Rows are upserted root first, day
 * before month, so concurrent sends queue instead of deadlocking.
 *
 * The send runs it as the first part of its last statement, the tree's activity entry after it
 * (smsLimitStatement, appendActivityAfter): a tree's counters (the root's above all) are held for that
 * one statement and the commit, and the tree's activity head is locked only once every counter held.
 * Slots are not needed here: two sends of a tree serialize on the activity head right after the
 * counters anyway (SPEC I9 chains a tree's entries one at a time), so slotting the counters would
 * move the wait to the head, not remove it.
 */
export interface SmsLimitStatement {
  /** CTEs `sms_keys`, `sms_counted`, `sms_held` (six parameters, from `place.firstParameter`) */
  ctes: string;
  parameters: unknown[];
  /** true when every counter took the messages within its limit */
  when: string;
  /** the counted rows, as JSON: [{ ord, used }] */
  answer: string;
  /** the OUTSIDE_LIMIT refusal of a statement whose `when` was false (`db`: its transaction, or any connection once the statement was rolled back) */
  refusal(db: Sql, answer: unknown): Promise<AppError>;
}

interface CounterKey {
  accountId: string;
  kind: 'DAY' | 'MONTH';
  start: string;
  limit: number | null;
}

export function smsLimitStatement(
  chain: AccountChain,
  settingsPath: { timezone: string; smsLimits: { daily: number | null; monthly: number | null } }[],
  now: Date,
  count: number,
  /** the statement's first parameter of these CTEs, and a condition (SQL) the counters are counted under */
  place: { firstParameter: number; countWhen: string } = { firstParameter: 1, countWhen: 'true' },
): SmsLimitStatement {
  const $ = (n: number) => `$${place.firstParameter + n - 1}`;
  const keys: CounterKey[] = chain.path.flatMap((accountId, depth) => {
    const { timezone, smsLimits } = settingsPath[depth];
    const day = localDate(now, timezone);
    return [
      { accountId, kind: 'DAY' as const, start: day, limit: smsLimits.daily },
      { accountId, kind: 'MONTH' as const, start: `${day.slice(0, 7)}-01`, limit: smsLimits.monthly },
    ];
  });
  return {
    ctes: `sms_keys AS (SELECT * FROM unnest(${$(1)}::uuid[], ${$(2)}::text[], ${$(3)}::date[], ${$(4)}::int[]) WITH ORDINALITY AS k(account_id, period_kind, period_start, cap, ord)
     ), sms_counted AS (
       INSERT INTO messaging.sms_counters AS c (account_id, period_kind, period_start, used, root_account_id)
       SELECT account_id, period_kind, period_start, ${$(5)}::int, ${$(6)}::uuid FROM sms_keys WHERE (${place.countWhen}) ORDER BY ord
       ON CONFLICT (account_id, period_kind, period_start) DO UPDATE SET used = c.used + excluded.used
        WHERE c.used + excluded.used <= coalesce((SELECT k.cap FROM sms_keys k WHERE k.account_id = c.account_id AND k.period_kind = c.period_kind AND k.period_start = c.period_start), 2147483647)
       RETURNING (SELECT k.ord FROM sms_keys k WHERE k.account_id = c.account_id AND k.period_kind = c.period_kind AND k.period_start = c.period_start) AS ord, c.used
     ), sms_held AS (
       SELECT count(*) = (SELECT count(*) FROM sms_keys) AND coalesce(bool_and(k.cap IS NULL OR n.used <= k.cap), true) AS ok
         FROM sms_counted n JOIN sms_keys k ON k.ord = n.ord
     )`,
    // The tree's root given, so that the root-id trigger does not look it up for each of the rows (six on a chain of three).
    parameters: [keys.map((k) => k.accountId), keys.map((k) => k.kind), keys.map((k) => k.start), keys.map((k) => k.limit), count, chain.rootId],
    when: `SELECT ok FROM sms_held`,
    answer: `SELECT coalesce(json_agg(json_build_object('ord', ord, 'used', used)), '[]') FROM sms_counted`,
    refusal: (db, answer) => limitRefusal(db, chain, keys, count, answer as { ord: number; used: number }[]),
  };
}

/** The first counter (in the lock order) that refused the messages, as the caller may see it. */
async function limitRefusal(db: Sql, chain: AccountChain, keys: CounterKey[], count: number, counted: { ord: number; used: number }[]): Promise<AppError> {
  const usedAfter = new Map(counted.map((row) => [Number(row.ord), row.used]));
  const over = keys.findIndex((key, i) => !usedAfter.has(i + 1) || (key.limit !== null && usedAfter.get(i + 1)! > key.limit));
  if (over < 0) throw new Error('smsLimitStatement: the statement refused, yet every counter is within its limit');
  const key = keys[over];
  // A counter the statement counted (a new row over its limit) had `used - count` before it; one it
  // left out is read (its row exists: the upsert met it).
  const counter = usedAfter.get(over + 1);
  const used =
    counter !== undefined
      ? counter - count
      : ((await db.query(`SELECT used FROM messaging.sms_counters WHERE account_id = $1 AND period_kind = $2 AND period_start = $3`, [key.accountId, key.kind, key.start])) as { used: number }[])[0].used;
  // An ancestor is named only by position: the caller may not see it (SPEC H3).
  return new AppError('OUTSIDE_LIMIT', `The ${key.kind === 'DAY' ? 'daily' : 'monthly'} SMS limit of ${key.limit} messages would be exceeded`, {
    limitOf: key.accountId === chain.id ? 'ACCOUNT' : 'ANCESTOR',
    period: key.kind,
    limit: key.limit ?? undefined,
    used,
  });
}
