/**
 * `tsx scripts/run-messaging-worker.ts`: the messaging delivery pipeline (SPEC M3) as its own process,
 * beside or instead of the messaging subgraph's background job. Any number may run: claims use
 * `FOR UPDATE SKIP LOCKED` with a lease. SIGTERM/SIGINT finish the current round, then exit.
 * Needs DATABASE_URL, and BILLING_URL where billing listens (credit of due scheduled sends).
 */
import { ConfigError, loadConfig } from '@platform/config';
import { createLogger } from '@platform/server';
import { createDeliveryWorker, createMessagingDataSource, runDeliveryLoop } from '@platform/messaging';

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to run the messaging worker']);
  const logger = createLogger('messaging-worker', config.logLevel);
  const dataSource = createMessagingDataSource(config.databaseUrl, { poolSize: 3 });
  await dataSource.initialize();
  const loop = runDeliveryLoop(createDeliveryWorker(dataSource, config, logger), Math.max(config.messaging.workerIntervalMs, 10), logger);
  logger.info('messaging worker running');
  const shutdown = async () => {
    await loop.stop();
    await dataSource.destroy();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
