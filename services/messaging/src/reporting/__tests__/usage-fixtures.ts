import crypto from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { applyUsageChanges, type UsageChange } from '../usage';

export type TestMessageStatus = 'QUEUED' | 'SENT' | 'DELIVERED' | 'FAILED' | 'EXPIRED' | 'CANCELLED' | 'SCHEDULED';

export interface TestMessage {
  accountId: string;
  userId?: string | null;
  senderId?: string | null;
  /** usage_day, YYYY-MM-DD */
  day: string;
  parts?: number;
  costUnits?: number;
}

/** A pg client as the Sql applyUsage expects (rows, not pg's result object); counts statements. */
export function runnerOf(client: PoolClient) {
  const runner = {
    statements: 0,
    query: async (sql: string, parameters?: unknown[]) => {
      runner.statements += 1;
      return (await client.query(sql, parameters)).rows;
    },
  };
  return runner;
}

async function inTransaction<T>(sql: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await sql.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Accepts messages the way the send pipeline does: inserts them into messaging.messages (QUEUED)
 * and applies their usage in the same transaction, with one applyUsage call for the batch.
 * Returns the message ids and the statements applyUsage sent.
 */
export async function acceptMessages(sql: Pool, messages: readonly TestMessage[]): Promise<{ ids: string[]; usageStatements: number }> {
  const ids = messages.map(() => crypto.randomUUID());
  return inTransaction(sql, async (client) => {
    await client.query(
      `INSERT INTO messaging.messages (id, account_id, user_id, sender_id, recipient, body, parts, cost_units, status, usage_day)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::int[], $8::int[], $9::text[], $10::date[])`,
      [
        ids,
        messages.map((m) => m.accountId),
        messages.map((m) => m.userId ?? null),
        messages.map((m) => m.senderId ?? null),
        messages.map(() => '+447700900123'),
        messages.map(() => 'Usage test'),
        messages.map((m) => m.parts ?? 1),
        messages.map((m) => m.costUnits ?? m.parts ?? 1),
        messages.map(() => 'QUEUED'),
        messages.map((m) => m.day),
      ],
    );
    const runner = runnerOf(client);
    await applyUsageChanges(
      runner,
      messages.map<UsageChange>((m) => ({
        accountId: m.accountId,
        userId: m.userId ?? null,
        senderId: m.senderId ?? null,
        day: m.day,
        messages: 1,
        parts: m.parts ?? 1,
        delivered: 0,
        failed: 0,
        costUnits: m.costUnits ?? m.parts ?? 1,
      })),
    );
    return { ids, usageStatements: runner.statements };
  });
}

interface StoredMessage {
  id: string;
  account_id: string;
  user_id: string | null;
  sender_id: string | null;
  usage_day: string;
  parts: number;
  cost_units: number;
}

/** A final status change (DELIVERED, FAILED, EXPIRED) or a cancellation, with its usage, in one transaction. */
export async function changeStatus(sql: Pool, ids: readonly string[], status: 'DELIVERED' | 'FAILED' | 'EXPIRED' | 'CANCELLED'): Promise<void> {
  await inTransaction(sql, async (client) => {
    const { rows } = await client.query<StoredMessage>(
      `UPDATE messaging.messages SET status = $2 WHERE id = ANY($1::uuid[]) AND status IN ('QUEUED', 'SENT', 'SCHEDULED')
       RETURNING id, account_id, user_id, sender_id, to_char(usage_day, 'YYYY-MM-DD') AS usage_day, parts, cost_units`,
      [ids, status],
    );
    const cancelled = status === 'CANCELLED';
    await applyUsageChanges(
      runnerOf(client),
      rows.map((m) => ({
        accountId: m.account_id,
        userId: m.user_id,
        senderId: m.sender_id,
        day: m.usage_day,
        messages: cancelled ? -1 : 0,
        parts: cancelled ? -m.parts : 0,
        delivered: status === 'DELIVERED' ? 1 : 0,
        failed: status === 'FAILED' || status === 'EXPIRED' ? 1 : 0,
        costUnits: cancelled ? -m.cost_units : 0,
      })),
    );
  });
}

/** The contract's figures computed from raw messages for the subtree of each account (the oracle). */
export async function rawSubtreeTotals(sql: Pool, accountIds: readonly string[], from = '1900-01-01', to = '2999-12-31') {
  const { rows } = await sql.query(
    `SELECT t.id AS account_id,
            count(m.id) FILTER (WHERE m.status <> 'CANCELLED')::int AS messages,
            coalesce(sum(m.parts) FILTER (WHERE m.status <> 'CANCELLED'), 0)::int AS parts,
            count(m.id) FILTER (WHERE m.status = 'DELIVERED')::int AS delivered,
            count(m.id) FILTER (WHERE m.status IN ('FAILED', 'EXPIRED'))::int AS failed,
            coalesce(sum(m.cost_units) FILTER (WHERE m.status <> 'CANCELLED'), 0)::int AS "costUnits"
       FROM unnest($1::uuid[]) AS t(id)
       LEFT JOIN hierarchy.accounts a ON t.id = ANY(a.path)
       LEFT JOIN messaging.messages m ON m.account_id = a.id AND m.usage_day BETWEEN $2::date AND $3::date
      GROUP BY t.id`,
    [accountIds, from, to],
  );
  return new Map(rows.map((r) => [r.account_id as string, { messages: r.messages, parts: r.parts, delivered: r.delivered, failed: r.failed, costUnits: r.costUnits }]));
}

/**
 * The reporting suites arrange messages themselves: the delivery, webhook and billing background
 * workers are off, so no status changes behind the tests' back and the statement counter counts
 * only the requests.
 */
export const QUIET_STACK_ENV = { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', BILLING_SWEEP_INTERVAL_MS: '0' };
