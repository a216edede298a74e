import crypto from 'node:crypto';
import { assertId, errors } from '@platform/errors';
import type { MessagingContext } from '../context';
import { clickTotalsOfBatch, findBatchOwner } from './store';

/**
 * Trackable short links (SPEC M8). At send time (sending/compose.ts) each URL of a message becomes
 * `<SHORT_LINK_BASE_URL>/l/<code>`, the code being 12 base62 characters drawn from the CSPRNG
 * (≈ 71 bits; rejection sampling, so unbiased): unique per message and recipient. `GET /l/<code>`
 * (route.ts, proxied by the gateway) counts the click and redirects to the stored target.
 */
export const SHORT_LINK_PATH_PREFIX = '/l/';
const CODE_LENGTH = 12;
export const CODE_PATTERN = /^[0-9A-Za-z]{12}$/;
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

/** Clicks of a send batch (SPEC M8): the batch's account must be visible with reports; basic users see their own batches. */
export async function batchClicks(ctx: MessagingContext, batchId: string) {
  const id = assertId(batchId, 'batchId');
  const batch = await findBatchOwner(ctx.dataSource, id);
  if (!batch || !(await ctx.access.canView(batch.account_id))) throw errors.notFound('Batch');
  const scope = await ctx.access.dataScope(batch.account_id, 'reports');
  if (scope === 'NONE' || (scope === 'OWN' && batch.user_id !== ctx.access.userId)) throw errors.notFound('Batch');
  const totals = await clickTotalsOfBatch(ctx.dataSource, id);
  return { batchId: id, links: totals.links, clicks: totals.clicks, clickedLinks: totals.clicked_links, clickedMessages: totals.clicked_messages };
}
