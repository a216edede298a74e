import type { MessagingContext } from '../context';
import type { MessageRow } from '../sending/store';
import { batchClicks, SHORT_LINK_PATH_PREFIX } from './service';
import type { LinkRow } from './store';

const iso = (value: Date | null | undefined) => (value ? new Date(value).toISOString() : null);

export const resolvers = {
  Query: {
    batchClicks: (_: unknown, args: { batchId: string }, ctx: MessagingContext) => batchClicks(ctx, args.batchId),
  },
  Message: {
    clicks: async (m: MessageRow, _: unknown, ctx: MessagingContext) => (await ctx.loaders.linksByMessageId.load(m.id)).reduce((sum, l) => sum + l.clicks, 0),
    trackedLinks: (m: MessageRow, _: unknown, ctx: MessagingContext) => ctx.loaders.linksByMessageId.load(m.id),
  },
  TrackedLink: {
    shortUrl: (l: LinkRow, _: unknown, ctx: MessagingContext) => `${ctx.config.messaging.shortLinkBaseUrl}${SHORT_LINK_PATH_PREFIX}${l.code}`,
    url: (l: LinkRow) => l.target_url,
    firstClickedAt: (l: LinkRow) => iso(l.first_clicked_at),
    lastClickedAt: (l: LinkRow) => iso(l.last_clicked_at),
    expiresAt: (l: LinkRow) => iso(l.expires_at),
  },
};
