import fs from 'node:fs';
import path from 'node:path';
import { ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper';
import { applyMiddleware } from 'graphql-middleware';
import { parse, type DocumentNode } from 'graphql';
import type { IRules } from 'graphql-shield';
import type { DataSource } from 'typeorm';
import type { PlatformConfig, SubgraphName } from '@platform/config';
import { AccessControl, buildShield, federationRules, PRINCIPAL_HEADER, PrincipalVerifier, TRUSTED_SERVICE_CALLERS, type Principal } from '@platform/authz';
import { formatError } from '@platform/errors';
import { createGraphQLHandler, listen, operationNamePlugin, operationResolutionPlugin, type HttpRoute, type RunningServer } from './http';
import { createLogger, type Logger } from './logger';

export interface SubgraphRequestContext extends BaseContext {
  principal: Principal;
  access: AccessControl;
  requestId: string;
  logger: Logger;
  config: PlatformConfig;
}

export interface SubgraphDefinition<TContext extends SubgraphRequestContext> {
  name: SubgraphName;
  /** The service's folder: its SDL is `schema.graphql` plus any other `*.graphql` file beside it. */
  serviceDir: string;
  resolvers: GraphQLResolverMap<TContext>;
  permissions: IRules;
  /** Adds the subgraph's own per-request loaders to the shared context. */
  createContext(base: SubgraphRequestContext, dataSource: DataSource): TContext;
  /** HTTP routes besides /graphql; they authenticate their requests themselves. */
  httpRoutes?(dataSource: DataSource, config: PlatformConfig, logger: Logger): Record<string, HttpRoute>;
  /** Runs when the server has stopped: releases what the subgraph opened for this data source (e.g. a Redis connection). */
  stop?(dataSource: DataSource): Promise<void>;
}

/**
 * A subgraph's SDL: `schema.graphql` (which holds the federation @link) followed by the other
 * `*.graphql` files of the service folder, so a feature can keep its types in a file of its own.
 */
export function readSubgraphSdl(serviceDir: string): string {
  const files = fs
    .readdirSync(serviceDir)
    .filter((file) => file.endsWith('.graphql') && file !== 'schema.graphql')
    .sort();
  return ['schema.graphql', ...files].map((file) => fs.readFileSync(path.join(serviceDir, file), 'utf8')).join('\n');
}

export function loadTypeDefs(serviceDir: string): DocumentNode {
  return parse(readSubgraphSdl(serviceDir));
}

export function buildSubgraph<TContext extends SubgraphRequestContext>(definition: SubgraphDefinition<TContext>) {
  const typeDefs = loadTypeDefs(definition.serviceDir);
  const schema = buildSubgraphSchema({ typeDefs, resolvers: definition.resolvers as GraphQLResolverMap<unknown> });
  const rules = { ...federationRules, ...definition.permissions } as IRules;
  for (const [type, typeRules] of Object.entries(federationRules)) {
    const own = (definition.permissions as Record<string, unknown>)[type];
    if (own && typeof own === 'object' && typeof typeRules === 'object') {
      (rules as Record<string, unknown>)[type] = { ...typeRules, ...own };
    }
  }
  return { typeDefs, schema: applyMiddleware(schema, buildShield(rules)) };
}

export interface StartSubgraphOptions {
  config: PlatformConfig;
  dataSource: DataSource;
  port?: number;
  logger?: Logger;
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
export async function startSubgraph<TContext extends SubgraphRequestContext>(
  definition: SubgraphDefinition<TContext>,
  options: StartSubgraphOptions,
): Promise<RunningServer> {
  const { config, dataSource } = options;
  const logger = options.logger ?? createLogger(definition.name, config.logLevel);
  const { schema } = buildSubgraph(definition);
  const tokens = config.principalTokens;
  const principals = await PrincipalVerifier.create({
    audience: definition.name,
    gatewayPublicKeys: tokens.gatewayPublicKeys,
    servicePublicKeys: Object.fromEntries((TRUSTED_SERVICE_CALLERS[definition.name] ?? []).map((caller) => [caller, caller === 'messaging' ? tokens.messagingPublicKeys : []])),
    maxTtlSeconds: tokens.ttlSeconds,
  });
  const apollo = new ApolloServer<TContext>({
    schema,
    // The process entries own shutdown (drain, then close pools); Apollo's own signal handlers would race them.
    stopOnTerminationSignals: false,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    // No inline traces and no cache-control hints: both instrument every resolved field.
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled(), operationNamePlugin, operationResolutionPlugin, mutationAccessPlugin],
    hideSchemaDetailsFromClientErrors: config.isProduction,
    formatError: (formatted, error) =>
      formatError(formatted, error, { production: config.isProduction, log: (err) => logger.error({ err }, 'unexpected error') }),
  });
  await apollo.start();

  const handler = createGraphQLHandler<TContext>({
    apollo,
    logger,
    ready: async () => {
      await dataSource.query('SELECT 1');
      return true;
    },
    routes: definition.httpRoutes?.(dataSource, config, logger),
    buildContext: async (request, requestId) => {
      const principal = await principals.verify(request.headers[PRINCIPAL_HEADER] as string | undefined);
      const base: SubgraphRequestContext = {
        principal,
        access: new AccessControl(principal, dataSource),
        requestId: principal.requestId ?? requestId,
        logger,
        config,
      };
      return definition.createContext(base, dataSource);
    },
  });
  const port = options.port ?? config.subgraphPorts[definition.name];
  const server = await listen(handler, port, config.host, async () => {
    await apollo.stop();
    await definition.stop?.(dataSource);
  }, { shutdownTimeoutMs: config.shutdownTimeoutSeconds * 1000 });
  logger.info({ url: server.url }, `${definition.name} subgraph listening`);
  return server;
}
