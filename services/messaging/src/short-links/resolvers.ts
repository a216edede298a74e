import type { Resolvers } from '../__generated__/resolvers-types';
import { batchClicks, SHORT_LINK_PATH_PREFIX } from './service';

export const resolvers: Resolvers = {
  Query: {
    batchClicks: (_, args, ctx) => batchClicks(ctx, args.batchId),
  },
  Message: {
    clicks: async (m, _, ctx) => (await ctx.loaders.linksByMessageId.load(m.id)).reduce((sum, l) => sum + l.clicks, 0),
    trackedLinks: (m, _, ctx) => ctx.loaders.linksByMessageId.load(m.id),
  },
  TrackedLink: {
    shortUrl: (l, _, ctx) => `${ctx.config.messaging.shortLinkBaseUrl}${SHORT_LINK_PATH_PREFIX}${l.code}`,
    url: (l) => l.targetUrl,
  },
};
