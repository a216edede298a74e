import { loadConfig } from '@platform/config';
import { startEmbeddedPostgres } from '@platform/db';

/**
 * With DATABASE_URL set the suites use that server; otherwise an embedded PostgreSQL runs for
 * the whole jest run (suites still create their own throwaway databases on it).
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  if (config.databaseUrl) return;
  const port = Number(process.env.EMBEDDED_PG_TEST_PORT ?? 54330);
  const postgres = await startEmbeddedPostgres({ dataDir: '.data/test-postgres', port });
  process.env.DATABASE_URL = postgres.url;
  (globalThis as { __embeddedPostgres?: typeof postgres }).__embeddedPostgres = postgres;
}
