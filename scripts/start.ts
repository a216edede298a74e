/**
 * `npm start`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, demo data (once),
 * the four subgraphs and the gateway. Ctrl-C stops everything, PostgreSQL included.
 */
import { Client } from 'pg';
import { loadConfig, ConfigError } from '@platform/config';
import { startEmbeddedPostgres, type RunningPostgres } from '@platform/db';
import { stopOnSignals } from '@platform/server';
import { prepareDatabase, startPlatform } from '@platform/platform';

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

async function main(): Promise<void> {
  const startedAt = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  let embedded: RunningPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    console.log(`starting embedded PostgreSQL (data in ${config.embeddedPostgres.dataDir}, port ${config.embeddedPostgres.port})`);
    embedded = await startEmbeddedPostgres(config.embeddedPostgres);
    databaseUrl = await ensureDatabase(embedded.url);
  }
  const stopPostgres = async () => {
    if (embedded) await embedded.stop().catch(() => {});
  };
  try {
    await prepareDatabase(databaseUrl, { seedDemo: config.seedDemoData });
    const platform = await startPlatform(config, databaseUrl);
    const consoleLog = { info: (_fields: object, message: string) => console.log(message), error: (fields: object, message: string) => console.error(message, fields) };
    stopOnSignals(consoleLog, async () => {
      await platform.close();
      await stopPostgres();
    });
    const gatewayUrl = platform.gatewayUrl.replace('127.0.0.1', 'localhost');
    console.log(`subgraphs: ${Object.entries(platform.subgraphUrls).map(([n, u]) => `${n} ${u}`).join(', ')}`);
    console.log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    console.log(`gateway: ${gatewayUrl}`);
  } catch (error) {
    console.error(error);
    await stopPostgres();
    process.exit(1);
  }
}

void main();
