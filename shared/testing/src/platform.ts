import type { DestinationStream } from 'pino';
import type { DataSource } from 'typeorm';
import { SUBGRAPH_NAMES, type PlatformConfig, type SubgraphName } from '@platform/config';
import { migrate, QueryCounter } from '@platform/db';
import { startSubgraph, createLogger, type Logger, type RunningServer, type SubgraphDefinition, type SubgraphRequestContext } from '@platform/server';
import { createHierarchyDataSource, hierarchySubgraph, HIERARCHY_SCHEMA, seedHierarchyDemo } from '@platform/account-hierarchy';
import { createIdentityDataSource, identitySubgraph, IDENTITY_SCHEMA, seedIdentityDemo } from '@platform/identity';
import { createMessagingDataSource, messagingSubgraph, MESSAGING_SCHEMA, seedMessagingDemo, withWebhookDispatcher, startMessagingBackgroundJobs } from '@platform/messaging';
import { createBillingDataSource, billingSubgraph, BILLING_SCHEMA, seedBillingDemo, startBillingSweeper } from '@platform/billing';
import { readCommittedSupergraph, startGateway } from '@platform/gateway';

export interface ServiceModule {
  schema: string;
  definition: SubgraphDefinition<SubgraphRequestContext>;
  createDataSource(url: string, options: { poolSize?: number; queryCounter?: QueryCounter }): DataSource;
  seedDemo(dataSource: DataSource): Promise<void>;
  /** Timers that run with the subgraph (e.g. billing's reservation sweeper); stopped before its pool closes. */
  startBackgroundJobs?(dataSource: DataSource, config: PlatformConfig, logger: Logger): { stop(): Promise<void> };
}

/** The four subgraphs, in migration order (the hierarchy first: others read its chain). */
export const SERVICES: Record<SubgraphName, ServiceModule> = {
  'account-hierarchy': {
    schema: HIERARCHY_SCHEMA,
    definition: hierarchySubgraph as unknown as ServiceModule['definition'],
    createDataSource: createHierarchyDataSource,
    seedDemo: seedHierarchyDemo,
  },
  identity: {
    schema: IDENTITY_SCHEMA,
    definition: identitySubgraph as unknown as ServiceModule['definition'],
    createDataSource: createIdentityDataSource,
    seedDemo: seedIdentityDemo,
  },
  messaging: {
    schema: MESSAGING_SCHEMA,
    definition: messagingSubgraph as unknown as ServiceModule['definition'],
    createDataSource: createMessagingDataSource,
    seedDemo: seedMessagingDemo,
    startBackgroundJobs: withWebhookDispatcher(startMessagingBackgroundJobs),
  },
  billing: {
    schema: BILLING_SCHEMA,
    definition: billingSubgraph as unknown as ServiceModule['definition'],
    createDataSource: createBillingDataSource,
    seedDemo: seedBillingDemo,
    startBackgroundJobs: startBillingSweeper,
  },
};

/**
 * Starts a service's background jobs (workers, sweepers, dispatchers) on a small pool of their
 * own: they never starve request handling, and statement counters see requests only. Stopping
 * the jobs closes their pool.
 */
export async function startServiceJobs(
  service: ServiceModule,
  databaseUrl: string,
  config: PlatformConfig,
  logger: Logger,
): Promise<{ stop(): Promise<void> } | null> {
  if (!service.startBackgroundJobs) return null;
  const dataSource = service.createDataSource(databaseUrl, { poolSize: 3 });
  await dataSource.initialize();
  const jobs = service.startBackgroundJobs(dataSource, config, logger);
  return {
    stop: async () => {
      await jobs.stop();
      await dataSource.destroy();
    },
  };
}

/** Runs every subgraph's migrations (each in its own schema) and, if asked, loads the demo data. */
export async function prepareDatabase(databaseUrl: string, options: { seedDemo: boolean }): Promise<void> {
  for (const name of SUBGRAPH_NAMES) {
    const service = SERVICES[name];
    const dataSource = service.createDataSource(databaseUrl, { poolSize: 2 });
    await dataSource.initialize();
    try {
      await migrate(dataSource, service.schema);
      if (options.seedDemo) await service.seedDemo(dataSource);
    } finally {
      await dataSource.destroy();
    }
  }
}

export interface RunningPlatform {
  gatewayUrl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Counts every SQL statement of the subgraphs and the gateway (tests assert batching). */
  queryCounter: QueryCounter;
  close(): Promise<void>;
}

/**
 * Starts the four subgraphs and the gateway in this process, each with its own connection pool.
 * `ephemeralPorts` listens on port 0 (tests); otherwise on the configured ports.
 */
export interface StartPlatformOptions {
  /** listen on port 0 (tests) instead of the configured ports */
  ephemeralPorts?: boolean;
  /** where every server logs (default stdout); tests read it to check what is logged */
  logDestination?: DestinationStream;
}

export async function startPlatform(config: PlatformConfig, databaseUrl: string, options: StartPlatformOptions = {}): Promise<RunningPlatform> {
  const queryCounter = new QueryCounter();
  const dataSources: DataSource[] = [];
  const servers: RunningServer[] = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;
  const backgroundJobs: { stop(): Promise<void> }[] = [];
  try {
    // Billing before messaging: messaging calls billing's credit mutations at the URL it really listens on.
    const startOrder = [...SUBGRAPH_NAMES].sort((a, b) => Number(b === 'billing') - Number(a === 'billing'));
    for (const name of startOrder) {
      const service = SERVICES[name];
      const serviceConfig = name === 'messaging' && subgraphUrls.billing ? { ...config, subgraphUrls: { ...config.subgraphUrls, billing: subgraphUrls.billing } } : config;
      const dataSource = service.createDataSource(databaseUrl, { poolSize: config.databasePoolSize, queryCounter });
      await dataSource.initialize();
      dataSources.push(dataSource);
      const logger = createLogger(name, config.logLevel, options.logDestination);
      const server = await startSubgraph(service.definition, {
        config: serviceConfig,
        dataSource,
        port: options.ephemeralPorts ? 0 : config.subgraphPorts[name],
        logger,
      });
      const jobs = await startServiceJobs(service, databaseUrl, serviceConfig, logger);
      if (jobs) backgroundJobs.push(jobs);
      servers.push(server);
      subgraphUrls[name] = server.url;
    }
    const gatewayDataSource = SERVICES.identity.createDataSource(databaseUrl, { poolSize: config.databasePoolSize, queryCounter });
    await gatewayDataSource.initialize();
    dataSources.push(gatewayDataSource);
    const gateway = await startGateway({
      logger: createLogger('gateway', config.logLevel, options.logDestination),
      config,
      supergraphSdl: readCommittedSupergraph(),
      subgraphUrls,
      dataSource: gatewayDataSource,
      port: options.ephemeralPorts ? 0 : config.gatewayPort,
    });
    servers.unshift(gateway);
    return {
      gatewayUrl: gateway.url,
      subgraphUrls,
      queryCounter,
      close: async () => {
        for (const jobs of backgroundJobs) await jobs.stop();
        for (const server of servers) await server.close();
        await Promise.all(dataSources.map((ds) => ds.destroy()));
      },
    };
  } catch (error) {
    for (const jobs of backgroundJobs) await jobs.stop().catch(() => {});
    for (const server of servers) await server.close().catch(() => {});
    await Promise.all(dataSources.map((ds) => (ds.isInitialized ? ds.destroy() : undefined)));
    throw error;
  }
}
