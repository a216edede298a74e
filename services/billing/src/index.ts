import path from 'node:path';
import type { SubgraphDefinition } from '@platform/server';
import { createBillingContext, type BillingContext } from './context';
import { permissions } from './permissions';
import { resolvers } from './resolvers';

export { createBillingDataSource, SCHEMA as BILLING_SCHEMA } from './data-source';
export { seedBillingDemo } from './seed';
export { startBillingSweeper, sweepBilling } from './sweeper';
export { CreditService } from './credit-service';
export { reconcileLedger } from './ledger';

export const billingSubgraph: SubgraphDefinition<BillingContext> = {
  name: 'billing',
  serviceDir: path.join(__dirname, '..'),
  resolvers: resolvers as SubgraphDefinition<BillingContext>['resolvers'],
  permissions,
  createContext: createBillingContext,
};
