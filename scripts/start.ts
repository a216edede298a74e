/**
 * `npm start`: PostgreSQL (embedded unless DATABASE_URL is set), migrations, demo data (once),
 * the four subgraphs, the gateway and the reference portal (built once when its sources changed,
 * then served as static files). Ctrl-C stops everything, PostgreSQL included.
 */
import '@platform/telemetry/register';
import { loadConfig, ConfigError } from '@platform/config';
import { openPlatformDatabase, prepareDatabase, startPlatform } from '@platform/platform';
import { stopOnSignals } from '@platform/server';
import { ensurePortalBuilt, startPortalServer, type RunningPortal } from '../portal/server/static-server';

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
    const [platform] = await Promise.all([startPlatform(config, database.url), ensurePortalBuilt(console.log)]);
    const gatewayUrl = platform.gatewayUrl.replace('127.0.0.1', 'localhost');
    // localhost, as the gateway: the development CORS list names the portal's localhost origin.
    let portal: RunningPortal | undefined;
    try {
      portal = await startPortalServer({ gatewayUrl, port: config.portalPort, host: config.host });
    } catch (error) {
      console.error(`the portal could not start on port ${config.portalPort} (PORTAL_PORT): ${(error as Error).message}`);
    }
    const consoleLog = { info: (_fields: object, message: string) => console.log(message), error: (fields: object, message: string) => console.error(message, fields) };
    stopOnSignals(consoleLog, async () => {
      await portal?.close();
      await platform.close();
      await database.stop();
    });
    console.log(`subgraphs: ${Object.entries(platform.subgraphUrls).map(([n, u]) => `${n} ${u}`).join(', ')}`);
    console.log(`ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
    console.log(`gateway: ${gatewayUrl}`);
    if (portal) console.log(`portal:  ${portal.url.replace('127.0.0.1', 'localhost')}`);
  } catch (error) {
    console.error(error);
    await database.stop();
    process.exit(1);
  }
}

void main();
