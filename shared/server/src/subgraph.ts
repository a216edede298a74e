import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { concatAST, parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { IRules } from 'graphql-shield';
import type { DataSource } from 'typeorm';
import type { DataSourceOverrides } from '@platform/db';
import type { PlatformConfig, SubgraphName } from '@platform/config';
import { AccessControl, applyShield, federationRules, PRINCIPAL_HEADER, PrincipalVerifier, TRUSTED_SERVICE_CALLERS, type Principal } from '@platform/authz';
import { formatError } from '@platform/errors';
import { batchEntities, type EntityBatchResolver } from './entities';
import { createGraphQLHandler, listen, operationNamePlugin, operationResolutionPlugin, type HttpRoute, type RunningServer } from './http';
import { internalCallRoutes, type InternalCall } from './internal-calls';
import { createLogger, type Logger } from './logger';
import { Metrics, metricsPlugin } from './metrics';

export interface SubgraphRequestContext extends BaseContext {
  principal: Principal;
  access: AccessControl;
  requestId: string;
  logger: Logger;
  config: PlatformConfig;
}

/** What a service's parts are given: its data source, the configuration and its logger. */
export interface ServiceDependencies {
  dataSource: DataSource;
  config: PlatformConfig;
  logger: Logger;
  /** the process's metrics, where background jobs record (absent when the caller keeps none) */
  metrics?: Metrics;
}

/**
 * One domain module of a subgraph: its part of the SDL (`<module>.graphql` beside it), the
 * resolvers and shield rules of those types, and the HTTP routes it answers besides /graphql.
 */
export interface SubgraphModule {
  name: string;
  typeDefs: DocumentNode;
  // Resolver maps are typed by each module against its generated resolver types; here they are only merged.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  resolvers?: Record<string, any>;
  permissions?: IRules;
  /** Entity types whose `_entities` representations are resolved all at once (see EntityBatchResolver), by type name. */
  entities?: Record<string, EntityBatchResolver>;
  /** HTTP routes besides /graphql; they authenticate their requests themselves. */
  routes?(dependencies: ServiceDependencies): Record<string, HttpRoute>;
  /** Calls of other services outside GraphQL (`POST /internal/<name>`, see InternalCall), by name; the server authenticates them. */
  internalCalls?: Record<string, InternalCall>;
  /** Registers the module's own series (queue depth, backlog…) in the process's metrics. */
  metrics?(metrics: Metrics, dependencies: ServiceDependencies): void;
}

/** A timer or loop that runs beside a subgraph (a delivery worker, a sweeper); stopped before its pool closes. */
export interface BackgroundJob {
  name: string;
  start(dependencies: ServiceDependencies): { stop(): Promise<void> };
}

export interface SubgraphDefinition<TContext extends SubgraphRequestContext> {
  name: SubgraphName;
  /** the PostgreSQL schema this subgraph owns: it writes nowhere else */
  databaseSchema: string;
  /** in order; the first holds the `extend schema @link` of federation */
  modules: SubgraphModule[];
  /** The subgraph's pool, with its schema and migrations (its `data-source.ts`). */
  createDataSource(url: string, options?: DataSourceOverrides): DataSource;
  /** Adds the subgraph's own per-request loaders to the shared context. */
  createContext(base: SubgraphRequestContext, dataSource: DataSource): TContext;
  /** The demo data (npm start, tests); idempotent. */
  seed(dataSource: DataSource): Promise<void>;
  jobs?: BackgroundJob[];
  /** Subgraphs it calls itself (not through the gateway): started before it, their real URLs in its config. */
  calls?: SubgraphName[];
  /** Runs when the server has stopped: releases what the subgraph opened for this data source (e.g. a Redis connection). */
  stop?(dataSource: DataSource): Promise<void>;
}

/** A subgraph as the composition root, the gateway's build and the test kit see it. */
export interface Subgraph {
  name: SubgraphName;
  databaseSchema: string;
  modules: SubgraphModule[];
  /** the subgraph's SDL: its modules' typeDefs in order */
  typeDefs: DocumentNode;
  jobs: BackgroundJob[];
  calls: SubgraphName[];
  createDataSource(url: string, options?: DataSourceOverrides): DataSource;
  createContext(base: SubgraphRequestContext, dataSource: DataSource): SubgraphRequestContext;
  seed(dataSource: DataSource): Promise<void>;
  stop?(dataSource: DataSource): Promise<void>;
}

export function defineSubgraph<TContext extends SubgraphRequestContext>(definition: SubgraphDefinition<TContext>): Subgraph {
  return {
    name: definition.name,
    databaseSchema: definition.databaseSchema,
    modules: definition.modules,
    typeDefs: concatAST(definition.modules.map((module) => module.typeDefs)),
    jobs: definition.jobs ?? [],
    calls: definition.calls ?? [],
    createDataSource: definition.createDataSource,
    createContext: definition.createContext,
    seed: definition.seed,
    stop: definition.stop,
  };
}

/** A module's SDL file, read once when the module is defined. */
export function readTypeDefs(directory: string, file: string): DocumentNode {
  return parse(fs.readFileSync(path.join(directory, file), 'utf8'));
}

const isFieldMap = (value: unknown) => value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;

/** Shield rules of several modules, merged per type (a type's fields may come from several modules). */
export function mergeRules(rulesOfModules: (IRules | undefined)[]): IRules {
  const merged: Record<string, unknown> = {};
  for (const rules of rulesOfModules) {
    for (const [type, rule] of Object.entries(rules ?? {})) {
      const existing = merged[type];
      if (existing && isFieldMap(existing) && isFieldMap(rule)) merged[type] = { ...(existing as object), ...(rule as object) };
      else if (existing) throw new Error(`Two modules set the shield rule of ${type}`);
      else merged[type] = rule;
    }
  }
  return merged as IRules;
}

/** The subgraph's executable schema without its shield (the bench's baseline; the platform always serves buildSubgraph's). */
export function buildUnguardedSubgraphSchema(subgraph: Subgraph): GraphQLSchema {
  const schema = buildSubgraphSchema(subgraph.modules.map((module) => ({ typeDefs: module.typeDefs, resolvers: module.resolvers as GraphQLResolverMap<unknown> })));
  return batchEntities(schema, Object.assign({}, ...subgraph.modules.map((module) => module.entities ?? {})));
}

export function buildSubgraph(subgraph: Subgraph) {
  const rules = mergeRules([federationRules, ...subgraph.modules.map((module) => module.permissions)]);
  return { typeDefs: subgraph.typeDefs, schema: applyShield(buildUnguardedSubgraphSchema(subgraph), rules) };
}

export interface StartSubgraphOptions {
  config: PlatformConfig;
  dataSource: DataSource;
  port?: number;
  logger?: Logger;
  /** the process's metrics (one per process; a fresh one when not given) */
  metrics?: Metrics;
  /** Serve this schema instead of buildSubgraph's: only the bench's baseline without shield sets it. */
  schema?: GraphQLSchema;
}

/** Tells the request's AccessControl that it decides for a change (suspended accounts are read-only). */
const mutationAccessPlugin: ApolloServerPlugin<SubgraphRequestContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, contextValue }) {
        contextValue.access.changing = operation?.operation === 'mutation';
      },
    };
  },
};

/** Starts one subgraph over HTTP; every request must carry a valid principal token (SPEC G2). */
export async function startSubgraph(subgraph: Subgraph, options: StartSubgraphOptions): Promise<RunningServer> {
  const { config, dataSource } = options;
  const logger = options.logger ?? createLogger(subgraph.name, config.logLevel);
  const schema = options.schema ?? buildSubgraph(subgraph).schema;
  const metrics = options.metrics ?? new Metrics({ defaultMetrics: false });
  metrics.observePool(subgraph.name, dataSource);
  for (const module of subgraph.modules) module.metrics?.(metrics, { dataSource, config, logger });
  const tokens = config.principalTokens;
  const principals = await PrincipalVerifier.create({
    audience: subgraph.name,
    gatewayPublicKeys: tokens.gatewayPublicKeys,
    servicePublicKeys: Object.fromEntries((TRUSTED_SERVICE_CALLERS[subgraph.name] ?? []).map((caller) => [caller, caller === 'messaging' ? tokens.messagingPublicKeys : []])),
    maxTtlSeconds: tokens.ttlSeconds,
  });
  const apollo = new ApolloServer<SubgraphRequestContext>({
    schema,
    // The process entries own shutdown (drain, then close pools); Apollo's own signal handlers would race them.
    stopOnTerminationSignals: false,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    // No inline traces and no cache-control hints: both instrument every resolved field.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), operationNamePlugin, operationResolutionPlugin, mutationAccessPlugin, ...(config.metrics.enabled ? [metricsPlugin(metrics, subgraph.name)] : [])],
    hideSchemaDetailsFromClientErrors: config.isProduction,
    formatError: (formatted, error) =>
      formatError(formatted, error, { production: config.isProduction, log: (err) => logger.error({ err }, 'unexpected error') }),
  });
  await apollo.start();

  const handler = createGraphQLHandler<SubgraphRequestContext>({
    apollo,
    logger,
    ready: async () => {
      await dataSource.query('SELECT 1');
      return true;
    },
    metrics: config.metrics.enabled ? metrics : undefined,
    onRefusal: (code) => metrics.graphqlErrors.inc({ service: subgraph.name, code }),
    routes: Object.assign(
      {},
      ...subgraph.modules.map((module) => module.routes?.({ dataSource, config, logger }) ?? {}),
      internalCallRoutes(Object.assign({}, ...subgraph.modules.map((module) => module.internalCalls ?? {})), {
        principals,
        dataSource,
        config,
        logger,
        onRefusal: (code) => metrics.graphqlErrors.inc({ service: subgraph.name, code }),
      }),
    ),
    buildContext: async (request, requestId) => {
      const principal = await principals.verify(request.headers[PRINCIPAL_HEADER] as string | undefined);
      const base: SubgraphRequestContext = {
        principal,
        access: new AccessControl(principal, dataSource),
        requestId: principal.requestId ?? requestId,
        logger,
        config,
      };
      return subgraph.createContext(base, dataSource);
    },
  });
  const port = options.port ?? config.subgraphPorts[subgraph.name];
  const server = await listen(handler, port, config.host, async () => {
    await apollo.stop();
    await subgraph.stop?.(dataSource);
  }, { shutdownTimeoutMs: config.shutdownTimeoutSeconds * 1000 });
  logger.info({ url: server.url }, `${subgraph.name} subgraph listening`);
  return server;
}
