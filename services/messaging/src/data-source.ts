import { createDataSource, type DataSourceOverrides } from '@platform/db';
import { CreateMessages1763800000002 } from './migrations/1763800000002-CreateMessages';
import { MessagingCore1763800050000 } from './migrations/1763800050000-MessagingCore';
import { CreateUsageRollups1763800900000 } from './migrations/1763800900000-CreateUsageRollups';
import { CreateWebhooksAndOutbox1763800090000 } from './migrations/1763800090000-CreateWebhooksAndOutbox';
import { MessagingFeatures1763801100000 } from './migrations/1763801100000-MessagingFeatures';
import { CreateMessagingOperatorLog1764650000000 } from './migrations/1764650000000-CreateOperatorLog';
import { SenderIdReviews1764660000000 } from './migrations/1764660000000-SenderIdReviews';
import { BatchApiKey1764810000000 } from './migrations/1764810000000-BatchApiKey';
import { ContactImports1764820000000 } from './migrations/1764820000000-ContactImports';
import { ContactNameOrder1764830000000 } from './migrations/1764830000000-ContactNameOrder';
import { UsageOutbox1764900000000 } from './migrations/1764900000000-UsageOutbox';
import { MessageTraceparent1764916000000 } from './migrations/1764916000000-MessageTraceparent';
import { MessagingRootIds1764916100000 } from './migrations/1764916100000-RootIds';
import { RefuseSend1765040000000 } from './migrations/1765040000000-RefuseSend';

export const SCHEMA = 'messaging';

export function createMessagingDataSource(url: string, options: DataSourceOverrides = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateMessages1763800000002, MessagingCore1763800050000, CreateUsageRollups1763800900000, CreateWebhooksAndOutbox1763800090000, MessagingFeatures1763801100000, CreateMessagingOperatorLog1764650000000, SenderIdReviews1764660000000, BatchApiKey1764810000000, ContactImports1764820000000, ContactNameOrder1764830000000, MessageTraceparent1764916000000, MessagingRootIds1764916100000, UsageOutbox1764900000000, RefuseSend1765040000000], applicationName: 'messaging', ...options });
}
