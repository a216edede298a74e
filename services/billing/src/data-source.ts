import { createDataSource, type QueryCounter } from '@platform/db';
import { CreateBalances1763800000003 } from './migrations/1763800000003-CreateBalances';
import { CreateCreditLedger1763800010001 } from './migrations/1763800010001-CreateCreditLedger';

export const SCHEMA = 'billing';

export function createBillingDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter } = {}) {
  return createDataSource({
    url,
    schema: SCHEMA,
    migrations: [CreateBalances1763800000003, CreateCreditLedger1763800010001],
    applicationName: 'billing',
    ...options,
  });
}
