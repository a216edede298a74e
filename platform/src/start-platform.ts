import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import type { PlatformConfig, SubgraphName } from '@platform/config';
import { QueryCounter } from '@platform/db';
import { readCommittedSupergraph, startGateway } from '@platform/gateway';
import { createLogger, Metrics, startMetricsServer, startSubgraph, type RunningServer } from '@platform/server';
import { startSubgraphJobs, type RunningJobs } from './jobs';
import { startOrder, SUBGRAPHS } from './registry';

export interface RunningPlatform {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Counts every SQL statement of the subgraphs and the gateway (tests assert batching). */
  queryCounter: QueryCounter;
  /** The process's Prometheus metrics (every server records into it). */
  metrics: Metrics;
  close(): Promise<void>;
}

export interface StartPlatformOptions {
  /** listen on port 0 (tests) instead of the configured ports */
  ephemeralPorts?: boolean;
  /** where every server logs (default stdout); tests read it to check what is logged */
  logDestination?: DestinationStream;
}

/**
 * Starts the subgraphs and the gateway in this process, each with its own connection pool, a
 * subgraph after those it calls (which it is told the real URLs of). `ephemeralPorts` listens on
 * port 0 (tests); otherwise on the configured ports.
 */
export async function startPlatform(config: PlatformConfig, databaseUrl: string, options: StartPlatformOptions = {}): Promise<RunningPlatform> {
  const queryCounter = new QueryCounter();
  const metrics = new Metrics();
  const dataSources: DataSource[] = [];
  const servers: RunningServer[] = [];
  const jobs: RunningJobs[] = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;
  try {
    for (const subgraph of startOrder()) {
      const subgraphConfig: PlatformConfig = { ...config, subgraphUrls: { ...config.subgraphUrls, ...subgraphUrls } };
      const dataSource = subgraph.createDataSource(databaseUrl, { poolSize: config.databasePoolSize, queryCounter });
      await dataSource.initialize();
      dataSources.push(dataSource);
      const logger = createLogger(subgraph.name, config.logLevel, options.logDestination);
      const server = await startSubgraph(subgraph, { config: subgraphConfig, dataSource, port: options.ephemeralPorts ? 0 : config.subgraphPorts[subgraph.name], logger, metrics });
      servers.push(server);
      subgraphUrls[subgraph.name] = server.url;
      const running = await startSubgraphJobs(subgraph, databaseUrl, subgraphConfig, logger, metrics);
      if (running) jobs.push(running);
    }
    // The gateway authenticates sessions and API keys against identity's tables.
    const gatewayDataSource = SUBGRAPHS.identity.createDataSource(databaseUrl, { poolSize: config.databasePoolSize, queryCounter, applicationName: 'gateway' });
    await gatewayDataSource.initialize();
    dataSources.push(gatewayDataSource);
    const gateway = await startGateway({
      logger: createLogger('gateway', config.logLevel, options.logDestination),
      config,
      supergraphSdl: readCommittedSupergraph(),
      subgraphUrls,
      dataSource: gatewayDataSource,
      port: options.ephemeralPorts ? 0 : config.gatewayPort,
      metrics,
    });
    servers.unshift(gateway);
    if (config.metrics.enabled && config.metrics.port !== null) servers.push(await startMetricsServer(metrics, options.ephemeralPorts ? 0 : config.metrics.port, config.metrics.host));
    return {
      gatewayUrl: gateway.url,
      subgraphUrls,
      queryCounter,
      metrics,
      close: async () => {
        for (const running of jobs) await running.stop();
        for (const server of servers) await server.close();
        await Promise.all(dataSources.map((dataSource) => dataSource.destroy()));
      },
    };
  } catch (error) {
    for (const running of jobs) await running.stop().catch(() => {});
    for (const server of servers) await server.close().catch(() => {});
    await Promise.all(dataSources.map((dataSource) => (dataSource.isInitialized ? dataSource.destroy() : undefined)));
    throw error;
  }
}
