/**
 * `npm start`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, demo data (once),
 * the four subgraphs and the gateway. Ctrl-C stops everything, PostgreSQL included.
 */
import '@platform/telemetry/register';
import { loadConfig, ConfigError } from '@platform/config';
import { openPlatformDatabase, prepareDatabase, startPlatform } from '@platform/platform';
import { stopOnSignals } from '@platform/server';

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
  const database = await openPlatformDatabase(config, console.log);
  try {
    await prepareDatabase(database.url, { seedDemo: config.seedDemoData });
    const platform = await startPlatform(config, database.url);
    const consoleLog = { info: (_fields: object, message: string) => console.log(message), error: (fields: object, message: string) => console.error(message, fields) };
    stopOnSignals(consoleLog, async () => {
      await platform.close();
      await database.stop();
    });
    const gatewayUrl = platform.gatewayUrl.replace('127.0.0.1', 'localhost');
    console.log(`subgraphs: ${Object.entries(platform.subgraphUrls).map(([n, u]) => `${n} ${u}`).join(', ')}`);
    console.log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    console.log(`gateway: ${gatewayUrl}`);
  } catch (error) {
    console.error(error);
    await database.stop();
    process.exit(1);
  }
}

void main();
