import { createDataSource, type QueryCounter } from '@platform/db';
import { CreateIdentity1763800000001 } from './migrations/1763800000001-CreateIdentity';
import { IdentityAccess1763800030000 } from './migrations/1763800030000-IdentityAccess';
import { SsoTokenUses1763801200000 } from './migrations/1763801200000-SsoTokenUses';
import { SsoEnforcement1763802600000 } from './migrations/1763802600000-SsoEnforcement';

export const SCHEMA = 'identity';

export function createIdentityDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter } = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateIdentity1763800000001, IdentityAccess1763800030000, SsoTokenUses1763801200000, SsoEnforcement1763802600000], applicationName: 'identity', ...options });
}
