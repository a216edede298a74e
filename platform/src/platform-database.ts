import { Client } from 'pg';
import type { PlatformConfig } from '@platform/config';
import { startEmbeddedPostgres, type RunningPostgres } from '@platform/db';

const DATABASE_NAME = 'platform';

async function ensureDatabase(serverUrl: string): Promise<string> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE_NAME]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE_NAME}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE_NAME}`;
  return url.toString();
}

/**
 * The platform's database: DATABASE_URL, or (when unset) the embedded PostgreSQL of `npm start`
 * with its `platform` database, started here and stopped by `stop()`.
 */
export async function openPlatformDatabase(config: PlatformConfig, log: (message: string) => void = () => {}): Promise<{ url: string; stop(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, stop: async () => {} };
  log(`starting embedded PostgreSQL (data in ${config.embeddedPostgres.dataDir}, port ${config.embeddedPostgres.port})`);
  const embedded: RunningPostgres = await startEmbeddedPostgres(config.embeddedPostgres);
  try {
    return { url: await ensureDatabase(embedded.url), stop: () => embedded.stop().catch(() => {}) };
  } catch (error) {
    await embedded.stop().catch(() => {});
    throw error;
  }
}
