import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { DataSource } from 'typeorm';
import { ANONYMOUS, authenticateBearer, GATEWAY_ISSUER, PrincipalSigner } from '@platform/authz';
import { requirePrivateKey, type PlatformConfig, type SubgraphName } from '@platform/config';
import { AppError, errors, formatError } from '@platform/errors';
import { withCors } from './cors';
import { PlannedGateway, type QueryPlanExecutorKind } from './execution/planned-gateway';
import { createGraphQLHandler, createLogger, listen, Metrics, metricsPlugin, operationNamePlugin, operationResolutionPlugin, sendGraphQLError, sendJson, sendRefusal, type HttpRoute, type Logger, type RunningServer } from '@platform/server';
import { EXPLORER_HTML, explorerAssetRoutes } from './explorer';
import { DOWNLOADS_PREFIX, EXPORTS_PREFIX, IMPORTS_PREFIX, isMessagingRoute, proxyExports, proxyMessagingRoutes, proxyUploads } from './exports-proxy';
import { isTokenLimitError, OPERATION_LIMITS, operationLimitsRule } from './limits';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limit';
import { connectRedis, RedisKeyValueCache } from './redis';
import { SignedSubgraphDataSource, type GatewayContext } from './subgraph-data-source';
import { FirstPartyDocuments, PartnerOperationStore, resolveFirstPartyOperation, resolvePartnerOperation } from './trusted-documents';

export type { GatewayContext };

export interface StartGatewayOptions {
  config: PlatformConfig;
  /** the process's metrics (a fresh one when not given) */
  metrics?: Metrics;
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Reads identity's sessions to authenticate bearer tokens. */
  dataSource: DataSource;
  port?: number;
  logger?: Logger;
  /** Apollo Gateway's executor instead of the platform's: the reference of the differential test and the bench's baseline */
  queryPlanExecutor?: QueryPlanExecutorKind;
}

function bearerToken(request: http.IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw errors.unauthenticated('The Authorization header must be "Bearer <token>"');
  return match[1];
}

/** The client's address: the socket's, or behind one trusted proxy the last X-Forwarded-For entry. */
function clientAddress(request: http.IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = request.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : forwarded)?.split(',').pop()?.trim();
    if (last) return last;
  }
  return request.socket.remoteAddress ?? 'unknown';
}

async function enforceRateLimit(limiter: RateLimiter, key: string, limit: number, what: string): Promise<void> {
  const decision = await limiter.hit(key, limit);
  if (!decision.allowed) {
    throw new AppError('RATE_LIMITED', `Rate limit of ${limit} requests per window exceeded for this ${what}`, { retryAfterSeconds: decision.retryAfterSeconds });
  }
}

async function subgraphIsUp(graphqlUrl: string): Promise<boolean> {
  const response = await fetch(new URL('/health', graphqlUrl), { signal: AbortSignal.timeout(2_000) });
  return response.ok;
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningServer> {
  const { config, dataSource } = options;
  const settings = config.gateway;
  const logger = options.logger ?? createLogger('gateway', config.logLevel);

  const redis = config.redisUrl ? connectRedis(config.redisUrl, logger) : undefined;
  if (redis) {
    try {
      await redis.connect();
    } catch (error) {
      redis.disconnect();
      throw new Error(`REDIS_URL is set but Redis cannot be reached: ${(error as Error).message}`, { cause: error });
    }
  }
  const rateLimiter: RateLimiter = redis
    ? new RedisRateLimiter(redis, config.redisKeyPrefix, settings.rateLimitWindowSeconds * 1000, logger)
    : new MemoryRateLimiter(settings.rateLimitWindowSeconds * 1000);
  const partnerOperations = new PartnerOperationStore(dataSource, settings.partnerOperationCacheTtlSeconds);
  const firstPartyDocuments = FirstPartyDocuments.load();

  const metrics = options.metrics ?? new Metrics({ defaultMetrics: false });
  metrics.observePool('gateway', dataSource);
  const fetchDuration = metrics.histogram({
    name: 'subgraph_fetch_duration_seconds',
    help: 'Fetches of the gateway to each subgraph by outcome (success, error: errors in the answer, unavailable: unreachable or 5xx)',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  });
  const subgraphHealth = async () =>
    Object.fromEntries(await Promise.all(Object.entries(options.subgraphUrls).map(async ([name, url]) => [name, await subgraphIsUp(url).catch(() => false)] as const)));
  metrics.gauge({
    name: 'subgraph_up',
    help: "1 when the subgraph answers the gateway's health check, else 0",
    labelNames: ['subgraph'] as const,
    async collect() {
      for (const [subgraph, up] of Object.entries(await subgraphHealth())) this.set({ subgraph }, up ? 1 : 0);
    },
  });

  const signer = await PrincipalSigner.create(requirePrivateKey(config, 'gateway'), GATEWAY_ISSUER, config.principalTokens.ttlSeconds);
  // Apollo Gateway exports host and usage metrics to Apollo (usage-reporting.api.apollographql.com) from every
  // process unless this is set: nothing about the platform's hosts or traffic goes to a vendor.
  process.env.APOLLO_TELEMETRY_DISABLED = 'true';
  const gateway = new PlannedGateway(
    options.supergraphSdl,
    ({ name, url }) =>
      new SignedSubgraphDataSource(options.subgraphUrls[name as SubgraphName] ?? url, name as SubgraphName, signer, name === 'identity' ? dataSource : undefined, logger, fetchDuration),
    options.queryPlanExecutor,
  );
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    // The process entries own shutdown (drain, then close pools); Apollo's own signal handlers would race them.
    stopOnTerminationSignals: false,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    // No "Did you mean …?" field suggestions in production: they leak the schema (SPEC G4).
    hideSchemaDetailsFromClientErrors: config.isProduction,
    // Without a cache option Apollo keeps APQs in a bounded in-memory LRU.
    persistedQueries: redis
      ? { cache: new RedisKeyValueCache(redis, `${config.redisKeyPrefix}apq:`, settings.apqTtlSeconds, logger), ttl: settings.apqTtlSeconds }
      : { ttl: settings.apqTtlSeconds },
    parseOptions: { maxTokens: OPERATION_LIMITS.maxTokens },
    validationRules: [operationLimitsRule(OPERATION_LIMITS, { introspection: !config.isProduction })],
    plugins: [operationNamePlugin, operationResolutionPlugin, ...(config.metrics.enabled ? [metricsPlugin(metrics, 'gateway')] : []), ApolloServerPluginLandingPageDisabled()],
    formatError: (formatted, error) => {
      const shaped = formatError(formatted, error, { production: config.isProduction, log: (err) => logger.error({ err }, 'unexpected error') });
      if (shaped.extensions?.code === 'GRAPHQL_PARSE_FAILED' && isTokenLimitError(shaped.message)) {
        return { ...shaped, extensions: { ...shaped.extensions, code: 'TOO_MANY_TOKENS', limit: OPERATION_LIMITS.maxTokens } };
      }
      return shaped;
    },
  });
  await apollo.start();

  const countRefusal = (code: string) => metrics.graphqlErrors.inc({ service: 'gateway', code });
  // Every route the gateway serves counts towards the per-address limit, not only /graphql.
  const admit = async (request: http.IncomingMessage) => {
    if (settings.rateLimitPerIp > 0) {
      await enforceRateLimit(rateLimiter, `ip:${clientAddress(request, settings.trustProxy)}`, settings.rateLimitPerIp, 'address');
    }
  };
  const admitted =
    (route: HttpRoute): HttpRoute =>
    async (request, response) => {
      try {
        await admit(request);
      } catch (error) {
        if (error instanceof AppError) {
          countRefusal(error.code);
          return sendRefusal(response, error);
        }
        logger.error({ err: error }, 'admission failed');
        return sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error', 500);
      }
      return route(request, response);
    };
  const handler = createGraphQLHandler<GatewayContext>({
    apollo,
    logger,
    maxBodyBytes: settings.maxBodyBytes,
    explorerHtml: settings.explorer ? EXPLORER_HTML : undefined,
    metrics: config.metrics.enabled && config.metrics.onGatewayPort ? metrics : undefined,
    onRefusal: countRefusal,
    routes: {
      ...(settings.explorer ? explorerAssetRoutes() : {}),
      // Each subgraph's health, for operators; it does not decide the gateway's readiness.
      '/health/subgraphs': async (_request, response) => {
        const health = await subgraphHealth();
        sendJson(response, Object.values(health).every(Boolean) ? 200 : 503, { subgraphs: Object.fromEntries(Object.entries(health).map(([name, up]) => [name, up ? 'up' : 'down'])) });
      },
    },
    // Ready when the gateway itself can serve: its database and Redis. A subgraph outage fails only that subgraph's fields
    // (SERVICE_UNAVAILABLE), so it must not take every gateway out of a load balancer's rotation.
    ready: async () => {
      await dataSource.query('SELECT 1');
      if (redis) await redis.ping();
      return true;
    },
    admit,
    // The session lookup (one statement, never cached: a revoked session stops at once) runs while the body is read.
    buildContextBeforeBody: true,
    buildContext: async (request, requestId) => {
      const token = bearerToken(request);
      const address = clientAddress(request, settings.trustProxy);
      if (!token) return { principal: { ...ANONYMOUS, clientAddress: address, requestId } };
      const principal = await authenticateBearer(dataSource, token);
      if (!principal) throw errors.unauthenticated('The session token is invalid or has expired');
      return { principal: { ...principal, clientAddress: address, requestId } };
    },
    prepareOperation: async (operation, context) => {
      // Counted once the body is accepted, as before the lookup moved ahead of it.
      if (context.principal.kind === 'API_KEY' && settings.rateLimitPerApiKey > 0) {
        await enforceRateLimit(rateLimiter, `key:${context.principal.id}`, settings.rateLimitPerApiKey, 'API key');
      }
      const appId = context.principal.partnerAppId;
      return appId ? resolvePartnerOperation(partnerOperations, appId, operation) : resolveFirstPartyOperation(firstPartyDocuments, operation);
    },
  });
  // Paths passed on to a subgraph as they are; each carries its own credential (see exports-proxy.ts).
  const passThrough: [(url: string) => boolean, (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>][] = [
    [(url) => url.startsWith(EXPORTS_PREFIX), admitted(proxyExports(options.subgraphUrls.messaging))],
    [(url) => url.startsWith(DOWNLOADS_PREFIX), admitted(proxyExports(options.subgraphUrls.billing))],
    [(url) => url.startsWith(IMPORTS_PREFIX), admitted(proxyUploads(options.subgraphUrls.messaging))],
    // Short links (/l/*) and email to SMS (/inbound/email)
    [isMessagingRoute, admitted(proxyMessagingRoutes(options.subgraphUrls.messaging))],
  ];
  const server = await listen(
    withCors(settings.corsOrigins, (request, response) => (passThrough.find(([matches]) => matches(request.url ?? '/'))?.[1] ?? handler)(request, response)),
    options.port ?? config.gatewayPort,
    config.host,
    async () => {
      await apollo.stop();
      if (redis) await redis.quit().catch(() => redis.disconnect());
    },
    { shutdownTimeoutMs: config.shutdownTimeoutSeconds * 1000 },
  );
  logger.info({ url: server.url, redis: Boolean(redis), explorer: settings.explorer }, 'gateway listening');
  return server;
}
