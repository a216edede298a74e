import type { PlatformConfig } from '@platform/config';
import type { Logger, Metrics, Subgraph } from '@platform/server';

export interface RunningJobs {
  stop(): Promise<void>;
}

/**
 * Starts a subgraph's background jobs (workers, sweepers, dispatchers) on a small pool of their
 * own: they never starve request handling, and statement counters see requests only. Stopping
 * the jobs closes their pool. Null when the subgraph has none.
 */
export async function startSubgraphJobs(subgraph: Subgraph, databaseUrl: string, config: PlatformConfig, logger: Logger, metrics?: Metrics): Promise<RunningJobs | null> {
  if (subgraph.jobs.length === 0) return null;
  const dataSource = subgraph.createDataSource(databaseUrl, { poolSize: 3, applicationName: `${subgraph.name}-jobs` });
  await dataSource.initialize();
  const running = subgraph.jobs.map((job) => job.start({ dataSource, config, logger: logger.child({ job: job.name }), metrics }));
  return {
    stop: async () => {
      await Promise.all(running.map((job) => job.stop()));
      await dataSource.destroy();
    },
  };
}
