/**
 * The gateway's process entry (containers, `npm start -w @platform/gateway`): configuration from
 * the environment, the pool on identity's tables that authenticates bearer credentials, the committed
 * supergraph. SIGTERM/SIGINT drain in-flight requests, then exit.
 */
import '@platform/telemetry/register';
import { ConfigError, loadConfig } from '@platform/config';
import { createLogger, Metrics, startMetricsServer, stopOnSignals } from '@platform/server';
import { createGatewayDataSource } from './data-source';
import { startGateway } from './gateway';
import { readCommittedSupergraph } from './supergraph';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('gateway', config.logLevel);
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to run the gateway on its own']);
  const dataSource = createGatewayDataSource(config.databaseUrl, { poolSize: config.databasePoolSize });
  await dataSource.initialize();
  const metrics = new Metrics();
  const server = await startGateway({ config, supergraphSdl: readCommittedSupergraph(), subgraphUrls: config.subgraphUrls, dataSource, logger, metrics });
  const metricsServer = config.metrics.enabled && config.metrics.port !== null ? await startMetricsServer(metrics, config.metrics.port, config.metrics.host) : null;

  stopOnSignals(logger, async () => {
    await server.close();
    await metricsServer?.close();
    await dataSource.destroy();
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
