import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import type { Logger, SubgraphRequestContext } from '@platform/server';
import { usageExportRoute, USAGE_EXPORT_PATH } from './export';
import type { ReportingContext } from './resolvers';
import { UsageLoaders } from './usage-loader';

export { reportingResolvers, type ReportingContext } from './resolvers';
export { reportingPermissions } from './permissions';
export { applyUsage, applyUsageChanges, type UsageChange, type ApplyUsage } from './usage';
export { rebuildUsage, type RebuildResult } from './rebuild';

/** Adds the reporting loaders to the subgraph's per-request context. */
export function withReportingContext<TContext extends SubgraphRequestContext>(
  createContext: (base: SubgraphRequestContext, dataSource: DataSource) => TContext,
): (base: SubgraphRequestContext, dataSource: DataSource) => TContext & ReportingContext {
  return (base, dataSource) => ({ ...createContext(base, dataSource), dataSource, usage: new UsageLoaders(base.access, dataSource) });
}

/** Merges resolver (or shield rule) maps type by type, so two features can both add Account or Mutation fields. */
export function mergeTypeMaps<A extends object, B extends object>(a: A, b: B): A & B {
  const isPlainObject = (value: unknown) => typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
  const merged: Record<string, unknown> = { ...(a as Record<string, unknown>) };
  for (const [type, fields] of Object.entries(b)) {
    const existing = merged[type];
    if (existing !== undefined && !(isPlainObject(existing) && isPlainObject(fields))) throw new Error(`Cannot merge ${type}: both sides define it whole`);
    merged[type] = existing === undefined ? fields : { ...(existing as object), ...(fields as object) };
  }
  return merged as A & B;
}

/** The subgraph's HTTP routes besides /graphql: the streamed CSV export. */
export function reportingRoutes(dataSource: DataSource, config: PlatformConfig, logger: Logger) {
  return { [USAGE_EXPORT_PATH]: usageExportRoute(dataSource, config, logger) };
}
