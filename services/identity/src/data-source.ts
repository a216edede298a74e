import { createDataSource, type DataSourceOverrides } from '@platform/db';
import { CreateIdentity1763800000001 } from './migrations/1763800000001-CreateIdentity';
import { IdentityAccess1763800030000 } from './migrations/1763800030000-IdentityAccess';
import { SsoTokenUses1763801200000 } from './migrations/1763801200000-SsoTokenUses';
import { SsoEnforcement1763802600000 } from './migrations/1763802600000-SsoEnforcement';
import { MailOutboxAccount1764633600000 } from './migrations/1764633600000-MailOutboxAccount';
import { CreateIdentityOperatorLog1764650000000 } from './migrations/1764650000000-CreateOperatorLog';
import { Operators1764650000100 } from './migrations/1764650000100-Operators';
import { OperatorInvitations1764650000200 } from './migrations/1764650000200-OperatorInvitations';
import { IdentityRootIds1764916100000 } from './migrations/1764916100000-RootIds';

export const SCHEMA = 'identity';

export function createIdentityDataSource(url: string, options: DataSourceOverrides = {}) {
  return createDataSource({ url, schema: SCHEMA, migrations: [CreateIdentity1763800000001, IdentityAccess1763800030000, SsoTokenUses1763801200000, SsoEnforcement1763802600000, MailOutboxAccount1764633600000, CreateIdentityOperatorLog1764650000000, Operators1764650000100, OperatorInvitations1764650000200, IdentityRootIds1764916100000], applicationName: 'identity', ...options });
}
