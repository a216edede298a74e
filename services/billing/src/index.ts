import { defineSubgraph } from '@platform/server';
import { balancesModule } from './balances';
import { createBillingContext } from './context';
import { creditModule } from './credit';
import { createBillingDataSource, SCHEMA } from './data-source';
import { invoicesModule } from './invoices';
import { profileModule } from './profile';
import { seedBillingDemo } from './seed';
import { startBillingSweeper } from './sweeper';
import { topUpsModule } from './top-ups';
import { transfersModule } from './transfers';

export { sweepBilling } from './sweeper';
export { CreditService } from './credit/service';
export { reconcileLedger } from './credit/store';

export const service = defineSubgraph({
  name: 'billing',
  databaseSchema: SCHEMA,
  modules: [balancesModule, creditModule, transfersModule, topUpsModule, invoicesModule, profileModule],
  createDataSource: createBillingDataSource,
  createContext: createBillingContext,
  seed: seedBillingDemo,
  jobs: [{ name: 'reservation-sweeper', start: ({ dataSource, config, logger }) => startBillingSweeper(dataSource, config, logger) }],
});
