/**
 * The comparison gateway of figure 1 (bench only): Hive Gateway's runtime (@graphql-hive/gateway-runtime)
 * serving the committed supergraph over node:http, with the subgraph URLs of the bench. To reach the same
 * subgraphs it does what our gateway must for them (SPEC G2): authenticates the bearer session (one
 * statement, as ours) and sends each subgraph fetch a principal token signed for that subgraph. It has none
 * of our gateway's other work (rate limiter, trusted documents, operation limits, access log, metrics).
 *
 * The runtime is installed apart from the workspaces, in bench/hive-gateway (its own package.json and
 * lock: in the root tree its dependencies moved the platform's own, e.g. the types of `fetch`), by
 * `npm run bench` when it is missing (installHiveGateway).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Pool } from 'pg';
import { ANONYMOUS, authenticateBearer, GATEWAY_ISSUER, PRINCIPAL_HEADER, PrincipalSigner, type Principal } from '@platform/authz';
import { requirePrivateKey, type PlatformConfig, type SubgraphName } from '@platform/config';

/** Relative to the working directory: the bench's processes run in the repository's root, compiled or not. */
const HIVE_GATEWAY_DIR = path.join(process.cwd(), 'bench', 'hive-gateway');

/** Installs the runtime from bench/hive-gateway's lock when it is not there yet (about a minute, once). */
export function installHiveGateway(): void {
  if (fs.existsSync(path.join(HIVE_GATEWAY_DIR, 'node_modules', '@graphql-hive', 'gateway-runtime'))) return;
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: HIVE_GATEWAY_DIR, stdio: 'ignore' });
}

/** What this file uses of @graphql-hive/gateway-runtime (typed here: the package is not in the workspaces' tree). */
interface HiveGatewayRuntime {
  createGatewayRuntime(config: {
    supergraph: string;
    logging: string;
    landingPage: boolean;
    graphiql: boolean;
    transportEntries: Record<string, { options: { deduplicateInflightRequests: boolean } }>;
    plugins: () => {
      onContextBuilding(payload: { context: { request: Request }; extendContext(extension: { principal: Principal }): void }): Promise<void>;
      onFetch(payload: { url: string; options: { headers?: Record<string, string> }; setOptions(options: object): void; context: { principal?: Principal } }): Promise<void>;
    }[];
  }): http.RequestListener & { dispose(): Promise<void> };
}

export async function startHiveGateway(config: PlatformConfig, supergraphSdl: string): Promise<{ url: string; close(): Promise<void> }> {
  const pool = new Pool({ connectionString: config.databaseUrl, max: config.databasePoolSize });
  const db = { query: async (text: string, values?: unknown[]) => (await pool.query(text, values)).rows };
  const signer = await PrincipalSigner.create(requirePrivateKey(config, 'gateway'), GATEWAY_ISSUER, config.principalTokens.ttlSeconds);
  const subgraphOf = new Map<string, SubgraphName>();
  let supergraph = supergraphSdl;
  for (const [name, url] of Object.entries(config.subgraphUrls) as [SubgraphName, string][]) {
    supergraph = supergraph.replace(new RegExp(`@join__graph\\(name: "${name}", url: "[^"]*"\\)`), `@join__graph(name: "${name}", url: "${url}")`);
    subgraphOf.set(url, name);
  }
  const { createGatewayRuntime } = require(require.resolve('@graphql-hive/gateway-runtime', { paths: [HIVE_GATEWAY_DIR] })) as HiveGatewayRuntime; // eslint-disable-line @typescript-eslint/no-require-imports
  const gateway = createGatewayRuntime({
    supergraph,
    logging: 'error',
    landingPage: false,
    graphiql: false,
    // By default its HTTP executor shares one in-flight subgraph fetch between identical ones (same body
    // and headers before onFetch adds the principal): concurrent requests of different callers would get
    // one caller's answer, and figure 1's ten identical connections would cost the subgraph one fetch.
    transportEntries: { '*.http': { options: { deduplicateInflightRequests: false } } },
    plugins: () => [
      {
        onContextBuilding: async ({ context, extendContext }) => {
          const token = /^Bearer\s+(\S+)$/i.exec(context.request.headers.get('authorization') ?? '')?.[1];
          extendContext({ principal: (token && (await authenticateBearer(db, token))) || ANONYMOUS });
        },
        onFetch: async ({ url, options, setOptions, context }) => {
          const subgraph = subgraphOf.get(url);
          if (!subgraph) return;
          setOptions({ ...options, headers: { ...options.headers, [PRINCIPAL_HEADER]: await signer.sign(context.principal ?? ANONYMOUS, subgraph) } });
        },
      },
    ],
  });
  const server = http.createServer(gateway);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      await gateway.dispose();
      await pool.end();
    },
  };
}
