import { Pool } from 'pg';
import type { PlatformConfig } from '@platform/config';
import type { Sql, TestDatabase } from '@platform/db';
import { DEMO_OPERATOR, DEMO_PASSWORD } from '@platform/demo-data';
import { createDeliveryWorker, type DeliveryWorker } from '@platform/messaging';
import type { DataSource } from 'typeorm';
import { postGraphQL, type GraphQLResponse, type TypedDocument } from '@platform/testing';
import { startPlatform, type RunningPlatform, type StartPlatformOptions } from '../start-platform';
import { SUBGRAPHS } from '../registry';
import { createSuiteDatabase } from './templates';

export interface TestStack extends RunningPlatform {
  config: PlatformConfig;
  database: TestDatabase;
  /** A direct pool to the suite's database, for arranging data and asserting what was written. */
  sql: Pool;
  /** The same pool as the rows-returning `Sql` the platform's helpers take (readMailOutbox, verifyActivityLog…). */
  db: Sql;
  graphql<TData, TVariables extends Record<string, unknown>>(document: TypedDocument<TData, TVariables>, variables?: TVariables, token?: string): Promise<GraphQLResponse<TData>>;
  graphql<TData = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<TData>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Logs in through the gateway and returns the session token. */
  login(email: string, options?: { password?: string; accountId?: string }): Promise<string>;
  /** Signs the demo operator (OPERATOR_ADMIN) in through the gateway and returns the operator session token. */
  loginOperator(): Promise<string>;
  /**
   * Captures the credit of every due send batch, as messaging's delivery worker does each round
   * (settleDueBatches: up to 500 batches), and answers how many batches it settled: a send's debit lands there, not in
   * the send's request. Safe beside a running worker (captures are idempotent).
   */
  settleSendCredit(): Promise<number>;
}


/**
 * Everything a suite needs, for real: a throwaway database (random name) on the PostgreSQL of
 * DATABASE_URL, every migration, optionally the demo data, the subgraphs and the gateway on port 0.
 */
export async function startTestStack(options: { seedDemo?: boolean; env?: Record<string, string>; logDestination?: StartPlatformOptions['logDestination'] } = {}): Promise<TestStack> {
  const { config, database } = await createSuiteDatabase(options);
  let platform: RunningPlatform | undefined;
  let sql: Pool | undefined;
  try {
    platform = await startPlatform(config, database.url, { ephemeralPorts: true, logDestination: options.logDestination });
    sql = new Pool({ connectionString: database.url, max: 3 });
  } catch (error) {
    await platform?.close();
    await database.drop();
    throw error;
  }
  const running = platform;
  const pool = sql;
  let settlement: { dataSource: DataSource; worker: DeliveryWorker } | undefined;
  const graphql = <TData>(document: string | TypedDocument<TData, Record<string, unknown>>, variables?: Record<string, unknown>, token?: string) =>
    postGraphQL<TData>(running.gatewayUrl, { query: typeof document === 'string' ? document : document.query, variables }, token ? { authorization: `Bearer ${token}` } : {});
  return {
    ...running,
    config,
    database,
    sql: pool,
    db: { query: async (text: string, parameters?: unknown[]) => (await pool.query(text, parameters)).rows },
    graphql,
    login: async (email, loginOptions = {}) => {
      const result = await graphql<{ login: { token: string } }>(
        `mutation Login($email: String!, $password: String!, $accountId: ID) { login(email: $email, password: $password, accountId: $accountId) { token } }`,
        { email, password: loginOptions.password ?? DEMO_PASSWORD, accountId: loginOptions.accountId },
      );
      if (!result.data?.login) throw new Error(`login of ${email} failed: ${JSON.stringify(result.errors)}`);
      return result.data.login.token;
    },
    loginOperator: async () => {
      const result = await graphql<{ operatorLogin: { token: string } }>(
        `mutation OperatorLogin($email: String!, $password: String!) { operatorLogin(email: $email, password: $password) { token } }`,
        { email: DEMO_OPERATOR.email, password: DEMO_PASSWORD },
      );
      if (!result.data?.operatorLogin) throw new Error(`operator login failed: ${JSON.stringify(result.errors)}`);
      return result.data.operatorLogin.token;
    },
    settleSendCredit: async () => {
      if (!settlement) {
        const dataSource = await SUBGRAPHS.messaging.createDataSource(database.url, { poolSize: 1, applicationName: 'test-settlement' }).initialize();
        settlement = { dataSource, worker: createDeliveryWorker(dataSource, { ...config, subgraphUrls: { ...config.subgraphUrls, ...running.subgraphUrls } }) };
      }
      return settlement.worker.settleDueBatches();
    },
    close: async () => {
      await settlement?.dataSource.destroy();
      await running.close();
      await pool.end();
      await database.drop();
    },
  };
}

