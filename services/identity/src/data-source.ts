import { createDataSource, type QueryCounter } from '@platform/db';
import { CreateIdentity1763800000001 } from './migrations/1763800000001-CreateIdentity';

export const SCHEMA = 'identity';

export function createIdentityDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter } = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateIdentity1763800000001], applicationName: 'identity', ...options });
}
