import { createDataSource, type QueryCounter } from '@platform/db';
import { CreateMessages1763800000002 } from './migrations/1763800000002-CreateMessages';
import { CreateUsageRollups1763800900000 } from './migrations/1763800900000-CreateUsageRollups';

export const SCHEMA = 'messaging';

export function createMessagingDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter } = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateMessages1763800000002, CreateUsageRollups1763800900000], applicationName: 'messaging', ...options });
}
