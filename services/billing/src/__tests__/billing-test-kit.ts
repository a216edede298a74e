import type { DataSource } from 'typeorm';
import { AccessControl } from '@platform/authz';
import { createBillingClient, type BillingClient } from '@platform/billing-client';
import { requirePrivateKey } from '@platform/config';
import type { TestStack } from '@platform/platform/testing';
import { createBillingDataSource } from '../data-source';
import { CreditService } from '../credit/service';
import { reconcileLedger } from '../credit/store';

/** The client messaging uses, pointed straight at the suite's billing subgraph. */
export function billingClientFor(stack: TestStack): BillingClient {
  return createBillingClient({ url: stack.subgraphUrls.billing, privateKey: requirePrivateKey(stack.config, 'messaging') });
}

/** A second billing "process" on the suite's database (its own pool). */
export async function openBillingProcess(stack: TestStack, poolSize = 4): Promise<{ dataSource: DataSource; credit: CreditService }> {
  const dataSource = createBillingDataSource(stack.database.url, { poolSize });
  await dataSource.initialize();
  const access = new AccessControl({ kind: 'SERVICE', id: 'test', actingAccountId: null, sessionId: null }, dataSource);
  return { dataSource, credit: new CreditService(dataSource, (id) => access.chains.load(id)) };
}

export async function expectConsistentLedger(stack: TestStack): Promise<void> {
  const report = await reconcileLedger({ query: async (sql, params) => (await stack.sql.query(sql, params)).rows });
  expect(report).toEqual({ balanceMismatches: [], unbalancedMovements: [], captureMismatches: [], limitHeldMismatches: [] });
}

export async function count(stack: TestStack, table: string): Promise<number> {
  return (await stack.sql.query(`SELECT count(*)::int AS n FROM billing.${table}`)).rows[0].n;
}
