import { createDataSource, type QueryCounter } from '@platform/db';
import { CreateMessages1763800000002 } from './migrations/1763800000002-CreateMessages';

export const SCHEMA = 'messaging';

export function createMessagingDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter } = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateMessages1763800000002], applicationName: 'messaging', ...options });
}
