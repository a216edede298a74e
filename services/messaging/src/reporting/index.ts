import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import type { Logger } from '@platform/server';
import { usageExportRoute, USAGE_EXPORT_PATH } from './export';

export { reportingResolvers, type ReportingContext } from './resolvers';
export { reportingPermissions } from './permissions';
export { applyUsage, applyUsageChanges, type UsageChange, type ApplyUsage } from './usage';
export { rebuildUsage, type RebuildResult } from './rebuild';

/** The subgraph's HTTP routes besides /graphql: the streamed CSV export. */
export function reportingRoutes(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return { [USAGE_EXPORT_PATH]: usageExportRoute(dataSource, config, logger) };
}
