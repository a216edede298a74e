import { createDataSource, type DataSourceOverrides } from '@platform/db';
import { CreateBalances1763800000003 } from './migrations/1763800000003-CreateBalances';
import { CreateCreditLedger1763800010001 } from './migrations/1763800010001-CreateCreditLedger';
import { CreateBillingOutbox1763800090200 } from './migrations/1763800090200-CreateBillingOutbox';
import { CreateBillingOperatorLog1764650000000 } from './migrations/1764650000000-CreateOperatorLog';
import { CreateBillingActivityLog1763800070000 } from './migrations/1763800070000-CreateBillingActivityLog';
import { OperatorBillingControls1764700000000 } from './migrations/1764700000000-OperatorBillingControls';
import { UserLimitRenewalAmount1764800000000 } from './migrations/1764800000000-UserLimitRenewalAmount';
import { BillingRootIds1764916100000 } from './migrations/1764916100000-RootIds';

export const SCHEMA = 'billing';

export function createBillingDataSource(url: string, options: DataSourceOverrides = {}) {
  return createDataSource({
    url,
    schema: SCHEMA,
    migrations: [CreateBalances1763800000003, CreateCreditLedger1763800010001, CreateBillingActivityLog1763800070000, CreateBillingOutbox1763800090200, CreateBillingOperatorLog1764650000000, OperatorBillingControls1764700000000, UserLimitRenewalAmount1764800000000, BillingRootIds1764916100000],
    applicationName: 'billing',
    ...options,
  });
}
