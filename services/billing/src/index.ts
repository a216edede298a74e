import path from 'node:path';
import { defineSubgraph, readTypeDefs } from '@platform/server';
import { createBillingContext } from './context';
import { createBillingDataSource, SCHEMA } from './data-source';
import { permissions } from './permissions';
import { resolvers } from './resolvers';
import { seedBillingDemo } from './seed';
import { startBillingSweeper } from './sweeper';

export { sweepBilling } from './sweeper';
export { CreditService } from './credit-service';
export { reconcileLedger } from './ledger';

export const service = defineSubgraph({
  name: 'billing',
  databaseSchema: SCHEMA,
  modules: [{ name: 'billing', typeDefs: readTypeDefs(path.join(__dirname, '..'), 'schema.graphql'), resolvers, permissions }],
  createDataSource: createBillingDataSource,
  createContext: createBillingContext,
  seed: seedBillingDemo,
  jobs: [{ name: 'reservation-sweeper', start: ({ dataSource, config, logger }) => startBillingSweeper(dataSource, config, logger) }],
});
