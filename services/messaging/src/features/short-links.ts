import crypto from 'node:crypto';
import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { assertId, errors } from '@platform/errors';
import { queryRows } from '@platform/db';
import type { Logger } from '@platform/server';
import type { MessagingContext } from '../context';

/**
 * Trackable short links (SPEC M8). At send time (compose.ts) each URL of a message becomes
 * `<SHORT_LINK_BASE_URL>/l/<code>`, the code being 12 base62 characters drawn from the CSPRNG
 * (≈ 71 bits; rejection sampling, so unbiased): unique per message and recipient. `GET /l/<code>`
 * (messaging route, proxied by the gateway) counts the click and redirects to the stored target —
 * an http(s) URL validated at send time — and nothing else: unknown, malformed or expired codes
 * answer 404, and no part of the request is ever echoed into the Location header.
 */
export const SHORT_LINK_PATH_PREFIX = '/l/';
export const SHORT_LINK_ROUTE = '/l/*';
const CODE_LENGTH = 12;
const CODE_PATTERN = /^[0-9A-Za-z]{12}$/;
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export function newShortCode(): string {
  let code = '';
  while (code.length < CODE_LENGTH) {
    for (const byte of crypto.randomBytes(16)) {
      if (byte < 248 && code.length < CODE_LENGTH) code += ALPHABET[byte % 62]; // 248 = 4 × 62: no modulo bias
    }
  }
  return code;
}

function notFound(response: http.ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end('Link not found or expired\n');
}

export function shortLinkRoute(dataSource: DataSource, _logger: Logger) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' });
      return void response.end();
    }
    const pathname = new URL(request.url ?? '/', 'http://internal').pathname;
    const code = pathname.slice(SHORT_LINK_PATH_PREFIX.length);
    if (!CODE_PATTERN.test(code)) return notFound(response);
    // A HEAD (link previews) is answered without counting.
    const [link] =
      request.method === 'GET'
        ? await queryRows<{ target_url: string }>(
            dataSource,
            `UPDATE messaging.short_links SET clicks = clicks + 1, first_clicked_at = coalesce(first_clicked_at, now()), last_clicked_at = now()
              WHERE code = $1 AND expires_at > now() RETURNING target_url`,
            [code],
          )
        : await queryRows<{ target_url: string }>(dataSource, `SELECT target_url FROM messaging.short_links WHERE code = $1 AND expires_at > now()`, [code]);
    if (!link) return notFound(response);
    let target: URL;
    try {
      target = new URL(link.target_url);
    } catch {
      return notFound(response);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return notFound(response);
    response.writeHead(302, { location: target.href, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    response.end();
  };
}

export interface LinkRow {
  code: string;
  message_id: string;
  recipient: string;
  target_url: string;
  clicks: number;
  first_clicked_at: Date | null;
  last_clicked_at: Date | null;
  expires_at: Date;
}

/** Links of the given messages, one query per request tick (Message.trackedLinks). */
export async function linksOfMessages(db: DataSource, messageIds: readonly string[]): Promise<LinkRow[][]> {
  const rows = await queryRows<LinkRow>(
    db,
    `SELECT code, message_id, recipient, target_url, clicks, first_clicked_at, last_clicked_at, expires_at
       FROM messaging.short_links WHERE message_id = ANY($1::uuid[]) ORDER BY created_at, code`,
    [messageIds],
  );
  return messageIds.map((id) => rows.filter((r) => r.message_id === id));
}

/** Clicks of a send batch (SPEC M8): the batch's account must be visible with reports; basic users see their own batches. */
export async function batchClicks(ctx: MessagingContext, batchId: string) {
  const id = assertId(batchId, 'batchId');
  const [batch] = await queryRows<{ account_id: string; user_id: string | null }>(ctx.dataSource, `SELECT account_id, user_id FROM messaging.send_batches WHERE id = $1`, [id]);
  if (!batch || !(await ctx.access.canView(batch.account_id))) throw errors.notFound('Batch');
  const scope = await ctx.access.dataScope(batch.account_id, 'reports');
  if (scope === 'NONE' || (scope === 'OWN' && batch.user_id !== ctx.access.userId)) throw errors.notFound('Batch');
  const [totals] = await queryRows<{ links: number; clicks: number; clicked_links: number; clicked_messages: number }>(
    ctx.dataSource,
    `SELECT count(*)::int AS links, coalesce(sum(clicks), 0)::int AS clicks, count(*) FILTER (WHERE clicks > 0)::int AS clicked_links,
            count(DISTINCT message_id) FILTER (WHERE clicks > 0)::int AS clicked_messages
       FROM messaging.short_links WHERE batch_id = $1`,
    [id],
  );
  return { batchId: id, links: totals.links, clicks: totals.clicks, clickedLinks: totals.clicked_links, clickedMessages: totals.clicked_messages };
}
