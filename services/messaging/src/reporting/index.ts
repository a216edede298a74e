import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import { readTypeDefs, type Logger, type SubgraphModule } from '@platform/server';
import { usageExportRoute } from './export';
import { USAGE_EXPORT_PATH } from './export-token';
import { reportingPermissions } from './permissions';
import { reportingResolvers } from './resolvers';

export { UsageLoaders } from './usage-loader';
export { applyUsage, applyUsageChanges, type UsageChange, type ApplyUsage } from './usage';
export { drainUsageOutbox, queueUsageChanges } from './usage-outbox';
export { rebuildUsage, type RebuildResult } from './store';

/** The subgraph's HTTP routes besides /graphql: the streamed CSV export. */
function reportingRoutes(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return { [USAGE_EXPORT_PATH]: usageExportRoute(dataSource, config, logger) };
}

export const reportingModule: SubgraphModule = {
  name: 'reporting',
  typeDefs: readTypeDefs(__dirname, 'reporting.graphql'),
  resolvers: reportingResolvers,
  permissions: reportingPermissions,
  routes: ({ dataSource, config, logger }) => reportingRoutes(dataSource, config, logger),
};
