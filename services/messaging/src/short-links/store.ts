import { groupBy, queryRows, type Sql } from '@platform/db';

export interface LinkRow {
  code: string;
  messageId: string;
  recipient: string;
  targetUrl: string;
  clicks: number;
  firstClickedAt: Date | null;
  lastClickedAt: Date | null;
  expiresAt: Date;
}

/** A short link to write with its message (in the send's transaction). */
export interface NewLink {
  code: string;
  messageId: string;
  recipient: string;
  target: string;
}

/** Links of the given messages, one query per request tick (Message.trackedLinks). */
export async function linksOfMessages(db: Sql, messageIds: readonly string[]): Promise<LinkRow[][]> {
  const rows = await queryRows<LinkRow>(
    db,
    `SELECT code, message_id AS "messageId", recipient, target_url AS "targetUrl", clicks, first_clicked_at AS "firstClickedAt",
            last_clicked_at AS "lastClickedAt", expires_at AS "expiresAt"
       FROM messaging.short_links WHERE message_id = ANY($1::uuid[]) ORDER BY created_at, code`,
    [messageIds],
  );
  return groupBy(messageIds, rows, (row) => row.messageId);
}

/** Counts a click on an unexpired link; its target, or null. */
export async function clickLink(db: Sql, code: string): Promise<string | null> {
  const [link] = await queryRows<{ target_url: string }>(
    db,
    `UPDATE messaging.short_links SET clicks = clicks + 1, first_clicked_at = coalesce(first_clicked_at, now()), last_clicked_at = now()
      WHERE code = $1 AND expires_at > now() RETURNING target_url`,
    [code],
  );
  return link?.target_url ?? null;
}

/** The target of an unexpired link, without counting; or null. */
export async function linkTarget(db: Sql, code: string): Promise<string | null> {
  const [link] = await queryRows<{ target_url: string }>(db, `SELECT target_url FROM messaging.short_links WHERE code = $1 AND expires_at > now()`, [code]);
  return link?.target_url ?? null;
}

/** Writes the links of the messages that were inserted (a number that opted out meanwhile has none). */
export async function insertLinks(tx: Sql, accountId: string, batchId: string, links: NewLink[], ttlDays: number): Promise<void> {
  await tx.query(
    `INSERT INTO messaging.short_links (code, account_id, message_id, batch_id, recipient, target_url, expires_at)
     SELECT l.code, $1, l.message_id, $2, l.recipient, l.target, now() + make_interval(days => $7::int)
       FROM unnest($3::text[], $4::uuid[], $5::text[], $6::text[]) AS l(code, message_id, recipient, target)
       JOIN messaging.messages m ON m.id = l.message_id`,
    [accountId, batchId, links.map((l) => l.code), links.map((l) => l.messageId), links.map((l) => l.recipient), links.map((l) => l.target), ttlDays],
  );
}

export async function findBatchOwner(db: Sql, batchId: string): Promise<{ account_id: string; user_id: string | null } | null> {
  const [batch] = await queryRows<{ account_id: string; user_id: string | null }>(db, `SELECT account_id, user_id FROM messaging.send_batches WHERE id = $1`, [batchId]);
  return batch ?? null;
}

export async function clickTotalsOfBatch(db: Sql, batchId: string): Promise<{ links: number; clicks: number; clicked_links: number; clicked_messages: number }> {
  const [totals] = await queryRows<{ links: number; clicks: number; clicked_links: number; clicked_messages: number }>(
    db,
    `SELECT count(*)::int AS links, coalesce(sum(clicks), 0)::int AS clicks, count(*) FILTER (WHERE clicks > 0)::int AS clicked_links,
            count(DISTINCT message_id) FILTER (WHERE clicks > 0)::int AS clicked_messages
       FROM messaging.short_links WHERE batch_id = $1`,
    [batchId],
  );
  return totals;
}
