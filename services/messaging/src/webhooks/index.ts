import type { DataSource } from 'typeorm';
import type { PlatformConfig } from '@platform/config';
import type { Logger, SubgraphDefinition, SubgraphRequestContext } from '@platform/server';
import { startWebhookDispatcher } from './dispatcher';
import { webhookPermissions } from './permissions';
import { webhookResolvers, type WebhookContext } from './resolvers';
import { WebhookService } from './webhook-service';

export { WebhookDispatcher, startWebhookDispatcher, type WebhookDispatcherOptions } from './dispatcher';
export { type WebhookContext } from './resolvers';
export { WebhookService } from './webhook-service';

type TypeMap = Record<string, unknown>;

/** Adds fields type by type (Query, Mutation…) without replacing what the subgraph defines already. */
function mergeByType(base: TypeMap, extra: TypeMap): TypeMap {
  const merged: TypeMap = { ...base };
  for (const [type, fields] of Object.entries(extra)) {
    const existing = merged[type];
    if (existing !== undefined && (typeof existing !== 'object' || typeof fields !== 'object')) throw new Error(`Cannot merge ${type}`);
    merged[type] = existing === undefined ? fields : { ...(existing as object), ...(fields as object) };
  }
  return merged;
}

/** The messaging subgraph with the webhook API (webhooks.graphql): resolvers, shield rules and per-request service. */
export function withWebhooks<TContext extends SubgraphRequestContext>(definition: SubgraphDefinition<TContext>): SubgraphDefinition<TContext & WebhookContext> {
  return {
    ...definition,
    resolvers: mergeByType(definition.resolvers as TypeMap, webhookResolvers) as SubgraphDefinition<TContext & WebhookContext>['resolvers'],
    permissions: mergeByType(definition.permissions as TypeMap, webhookPermissions) as SubgraphDefinition<TContext>['permissions'],
    createContext: (base: SubgraphRequestContext, dataSource: DataSource) => ({
      ...definition.createContext(base, dataSource),
      webhooks: new WebhookService(dataSource, base),
    }),
  };
}

type BackgroundJobs = (dataSource: DataSource, config: PlatformConfig, logger: Logger) => { stop(): Promise<void> };

/** The messaging subgraph's background jobs plus the webhook dispatcher (shared/testing's SERVICES hook). */
export function withWebhookDispatcher(otherJobs?: BackgroundJobs): BackgroundJobs {
  return (dataSource, config, logger) => {
    const jobs = [...(otherJobs ? [otherJobs(dataSource, config, logger)] : []), startWebhookDispatcher(dataSource, config, logger)];
    return { stop: async () => void (await Promise.all(jobs.map((job) => job.stop()))) };
  };
}
