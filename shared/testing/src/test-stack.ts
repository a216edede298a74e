import { Writable } from 'node:stream';
import crypto from 'node:crypto';
import { Pool } from 'pg';
import { generatePrincipalKeyPair, loadConfig, type PlatformConfig } from '@platform/config';
import { createTestDatabase, type TestDatabase } from '@platform/db';
import { DEMO_PASSWORD } from '@platform/demo-data';
import { prepareDatabase, startPlatform, type RunningPlatform, type StartPlatformOptions } from './platform';

export interface GraphQLResponse<TData = any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  status: number;
  data?: TData;
  errors?: { message: string; path?: (string | number)[]; extensions?: { code?: string; [key: string]: unknown } }[];
}

export interface TestStack extends RunningPlatform {
  config: PlatformConfig;
  database: TestDatabase;
  /** A direct pool to the suite's database, for arranging data and asserting what was written. */
  sql: Pool;
  graphql<TData = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GraphQLResponse<TData>>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Logs in through the gateway and returns the session token. */
  login(email: string, options?: { password?: string; accountId?: string }): Promise<string>;
}

/** The `extensions.code` of a response's first error (undefined when it has none). */
export const codeOf = (response: { errors?: { extensions?: { code?: string } }[] }) => response.errors?.[0]?.extensions?.code;

export async function postGraphQL<TData>(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<GraphQLResponse<TData>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let json: Omit<GraphQLResponse<TData>, 'status'>;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`Non-JSON response ${response.status}: ${text.slice(0, 200)}`);
  }
  return { status: response.status, ...json };
}

/** Fresh principal token keys as production expects them in its environment (SPEC G2). */
export function principalKeyEnvironment(): Record<string, string> {
  const gateway = generatePrincipalKeyPair();
  const messaging = generatePrincipalKeyPair();
  return {
    GATEWAY_PRINCIPAL_PRIVATE_KEY: JSON.stringify(gateway.privateJwk),
    GATEWAY_PRINCIPAL_PUBLIC_KEYS: JSON.stringify({ keys: [gateway.publicJwk] }),
    MESSAGING_SERVICE_PRIVATE_KEY: JSON.stringify(messaging.privateJwk),
    MESSAGING_SERVICE_PUBLIC_KEYS: JSON.stringify({ keys: [messaging.publicJwk] }),
  };
}

/**
 * Everything a suite needs, for real: a throwaway database (random name) on the PostgreSQL of
 * DATABASE_URL, every migration, optionally the demo data, four subgraphs and the gateway on port 0.
 */
export async function startTestStack(options: { seedDemo?: boolean; env?: Record<string, string>; logDestination?: StartPlatformOptions['logDestination'] } = {}): Promise<TestStack> {
  // Suites sharing one Redis (REDIS_URL) never see each other's keys (login throttle, rate limits).
  const baseConfig = loadConfig({ ...process.env, NODE_ENV: 'test', REDIS_KEY_PREFIX: `test:${crypto.randomUUID()}:`, ...options.env });
  if (!baseConfig.databaseUrl) throw new Error('DATABASE_URL is unset: run tests through jest (its global setup starts PostgreSQL)');
  const database = await createTestDatabase(baseConfig.databaseUrl);
  const config: PlatformConfig = { ...baseConfig, databaseUrl: database.url, databasePoolSize: 5 };
  let platform: RunningPlatform | undefined;
  let sql: Pool | undefined;
  try {
    await prepareDatabase(database.url, { seedDemo: options.seedDemo ?? true });
    platform = await startPlatform(config, database.url, { ephemeralPorts: true, logDestination: options.logDestination });
    sql = new Pool({ connectionString: database.url, max: 3 });
  } catch (error) {
    await platform?.close();
    await database.drop();
    throw error;
  }
  const running = platform;
  const pool = sql;
  const graphql = <TData>(query: string, variables?: Record<string, unknown>, token?: string) =>
    postGraphQL<TData>(running.gatewayUrl, { query, variables }, token ? { authorization: `Bearer ${token}` } : {});
  return {
    ...running,
    config,
    database,
    sql: pool,
    graphql,
    login: async (email, loginOptions = {}) => {
      const result = await graphql<{ login: { token: string } }>(
        `mutation Login($email: String!, $password: String!, $accountId: ID) { login(email: $email, password: $password, accountId: $accountId) { token } }`,
        { email, password: loginOptions.password ?? DEMO_PASSWORD, accountId: loginOptions.accountId },
      );
      if (!result.data?.login) throw new Error(`login of ${email} failed: ${JSON.stringify(result.errors)}`);
      return result.data.login.token;
    },
    close: async () => {
      await running.close();
      await pool.end();
      await database.drop();
    },
  };
}

/** A log destination that keeps everything the servers write, for tests that read the logs. */
export class LogCapture extends Writable {
  text = '';
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString('utf8');
    done();
  }
}
