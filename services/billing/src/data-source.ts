import { createDataSource, type QueryCounter } from '@platform/db';
import { CreateBalances1763800000003 } from './migrations/1763800000003-CreateBalances';

export const SCHEMA = 'billing';

export function createBillingDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter } = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateBalances1763800000003], applicationName: 'billing', ...options });
}
