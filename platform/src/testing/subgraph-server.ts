import { Pool } from 'pg';
import { GATEWAY_ISSUER, PrincipalSigner, PRINCIPAL_HEADER, serviceIssuer, type Principal } from '@platform/authz';
import { requirePrivateKey, type PlatformConfig, type SubgraphName } from '@platform/config';
import type { TestDatabase } from '@platform/db';
import { createLogger, startSubgraph, type RunningServer, type Subgraph } from '@platform/server';
import { postGraphQL, type GraphQLResponse, type TypedDocument } from '@platform/testing';
import { SUBGRAPHS } from '../registry';
import { createSuiteDatabase } from './templates';

export interface SubgraphTestServer {
  subgraph: Subgraph;
  url: string;
  config: PlatformConfig;
  database: TestDatabase;
  /** a direct pool to the suite's database */
  sql: Pool;
  /** One request straight to the subgraph as `principal` (signed as the gateway would, or as messaging for a SERVICE principal). */
  call<TData, TVariables extends Record<string, unknown>>(document: TypedDocument<TData, TVariables>, variables: TVariables, principal: Principal): Promise<GraphQLResponse<TData>>;
  close(): Promise<void>;
}

/**
 * The fast tier of the test kit: one subgraph on its own (no gateway, no other subgraph) over a
 * copy of the run's template database, called with principal tokens the test chooses. For
 * authorization tables and argument validation of one subgraph; anything crossing subgraphs
 * goes through `startTestStack` and the gateway.
 */
export async function startSubgraphTestServer(name: SubgraphName, options: { seedDemo?: boolean; env?: Record<string, string> } = {}): Promise<SubgraphTestServer> {
  const { config, database } = await createSuiteDatabase(options);
  const subgraph = SUBGRAPHS[name];
  const dataSource = subgraph.createDataSource(database.url, { poolSize: 5 });
  let server: RunningServer | undefined;
  try {
    await dataSource.initialize();
    server = await startSubgraph(subgraph, { config, dataSource, port: 0, logger: createLogger(name, config.logLevel) });
  } catch (error) {
    await server?.close();
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.drop();
    throw error;
  }
  const running = server;
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const gatewaySigner = PrincipalSigner.create(requirePrivateKey(config, 'gateway'), GATEWAY_ISSUER, config.principalTokens.ttlSeconds);
  const messagingSigner = PrincipalSigner.create(requirePrivateKey(config, 'messaging'), serviceIssuer('messaging'), config.principalTokens.ttlSeconds);
  return {
    subgraph,
    url: running.url,
    config,
    database,
    sql,
    call: async (document, variables, principal) => {
      const signer = await (principal.kind === 'SERVICE' ? messagingSigner : gatewaySigner);
      return postGraphQL(running.url, { query: document.query, variables }, { [PRINCIPAL_HEADER]: await signer.sign(principal, name) });
    },
    close: async () => {
      await running.close();
      await dataSource.destroy();
      await sql.end();
      await database.drop();
    },
  };
}
