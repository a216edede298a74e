import { loadConfig } from '@platform/config';
import { startEmbeddedPostgres } from '@platform/db';
import { createTemplateDatabases } from './templates';

type SetupState = { __embeddedPostgres?: { stop(): Promise<void> }; __templates?: { drop(): Promise<void> } };

/**
 * With DATABASE_URL set the suites use that server; otherwise an embedded PostgreSQL runs for
 * the whole jest run. Either way every migration runs once, into template databases that each
 * suite copies into a throwaway database of its own.
 */
export default async function globalSetup(): Promise<void> {
  const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const state = globalThis as SetupState;
  let serverUrl = config.databaseUrl;
  if (!serverUrl) {
    const port = Number(process.env.EMBEDDED_PG_TEST_PORT ?? 54330);
    const postgres = await startEmbeddedPostgres({ dataDir: '.data/test-postgres', port });
    process.env.DATABASE_URL = serverUrl = postgres.url;
    state.__embeddedPostgres = postgres;
  }
  state.__templates = await createTemplateDatabases(serverUrl);
}
