/**
 * `tsx scripts/run-subgraph.ts <name>`: one subgraph as its own process (containers, replicas),
 * with its background jobs. Migrations are applied beforehand by `npm run db:migrate`.
 * SIGTERM/SIGINT drain in-flight requests, then exit.
 */
import '@platform/telemetry/register';
import { ConfigError, loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';
import { startSubgraphJobs } from '@platform/platform/jobs';
import { loadSubgraph } from '@platform/platform/one-subgraph';
import { createLogger, Metrics, startMetricsServer, startSubgraph, stopOnSignals } from '@platform/server';

async function main(): Promise<void> {
  const name = process.argv[2] as SubgraphName;
  if (!SUBGRAPH_NAMES.includes(name)) throw new Error(`usage: run-subgraph <${SUBGRAPH_NAMES.join('|')}>`);
  const config = loadConfig();
  if (!config.databaseUrl) throw new ConfigError(['DATABASE_URL is required to run a subgraph on its own']);
  const logger = createLogger(name, config.logLevel);
  const subgraph = await loadSubgraph(name);
  const dataSource = subgraph.createDataSource(config.databaseUrl, { poolSize: config.databasePoolSize });
  await dataSource.initialize();
  const metrics = new Metrics();
  const server = await startSubgraph(subgraph, { config, dataSource, logger, metrics });
  const metricsServer = config.metrics.enabled && config.metrics.port !== null ? await startMetricsServer(metrics, config.metrics.port, config.metrics.host) : null;
  const jobs = await startSubgraphJobs(subgraph, config.databaseUrl, config, logger, metrics);

  stopOnSignals(logger, async () => {
    await server.close();
    await metricsServer?.close();
    await jobs?.stop();
    await dataSource.destroy();
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
