import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { FetcherResponse } from '@apollo/utils.fetcher';
import type { DataSource } from 'typeorm';
import { ANONYMOUS, authenticateBearer, GATEWAY_ISSUER, PRINCIPAL_HEADER, PrincipalSigner, OPERATOR_SESSION_PREFIX, SESSION_TOKEN_PREFIX, type Principal } from '@platform/authz';
import { requirePrivateKey, type PlatformConfig, type SubgraphName } from '@platform/config';
import { AppError, errors, formatError } from '@platform/errors';
import { withCors } from './cors';
import { PlannedGateway, type QueryPlanExecutorKind } from './execution/planned-gateway';
import { unavailableAnswer } from './unavailable-answer';
import { createGraphQLHandler, createLogger, listen, Metrics, metricsPlugin, operationNamePlugin, operationResolutionPlugin, sendGraphQLError, sendJson, sendRefusal, type HttpRoute, type Logger, type RunningServer } from '@platform/server';
import type { Histogram } from 'prom-client';
import { EXPLORER_HTML, explorerAssetRoutes } from './explorer';
import { DOWNLOADS_PREFIX, EXPORTS_PREFIX, IMPORTS_PREFIX, isMessagingRoute, proxyExports, proxyMessagingRoutes, proxyUploads } from './exports-proxy';
import { isTokenLimitError, OPERATION_LIMITS, operationLimitsRule } from './limits';
import { MemoryRateLimiter, RedisRateLimiter, type RateLimiter } from './rate-limit';
import { connectRedis, RedisKeyValueCache } from './redis';
import { subgraphFetcher } from './subgraph-fetcher';
import { FirstPartyDocuments, PartnerOperationStore, resolveFirstPartyOperation, resolvePartnerOperation } from './trusted-documents';

export interface GatewayContext {
  principal: Principal;
}

/** Forwards the authenticated principal to a subgraph in a short-lived token for that subgraph alone (SPEC G2). */
class SignedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly subgraph: SubgraphName,
    private readonly signer: PrincipalSigner,
    private readonly dataSource?: DataSource,
    private readonly logger?: Logger,
    private readonly fetchDuration?: Histogram<'subgraph' | 'outcome'>,
  ) {
    super({ url, fetcher: subgraphFetcher });
    // RemoteGraphQLDataSource's own sendRequest (private in its types, so set here) builds a node-fetch Request
    // of every body only to pass it to parseBody and didEncounterError, which ignore it: a copy of the body
    // (~600 KB of representations per entity fetch of a 10,000-account tree) and a stream, per fetch.
    (this as unknown as { sendRequest: SignedSubgraphDataSource['send'] }).sendRequest = this.send;
  }

  /** RemoteGraphQLDataSource.sendRequest (@apollo/gateway 2.14) without the node-fetch Request. */
  private readonly send = async (request: GraphQLDataSourceProcessOptions<GatewayContext>['request'], context: GatewayContext) => {
    if (!request.http) throw new Error("Internal error: Only 'http' requests are supported.");
    const { http, ...requestWithoutHttp } = request;
    const requestInit = { method: http.method, headers: Object.fromEntries(http.headers), body: JSON.stringify(requestWithoutHttp) };
    let fetchResponse: FetcherResponse | undefined;
    try {
      fetchResponse = await this.fetcher(http.url, requestInit);
      if (!fetchResponse.ok) throw await this.errorFromResponse(fetchResponse);
      const body = await this.parseBody(fetchResponse, undefined, context);
      if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`Expected JSON response body, but received: ${body}`);
      return { ...body, http: fetchResponse };
    } catch (error) {
      this.didEncounterError(error as Error, undefined, fetchResponse);
      throw error;
    }
  };

  override async process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    const startedAt = performance.now();
    let outcome = 'error';
    try {
      const response = await super.process(options);
      outcome = response.errors?.length ? 'error' : 'success';
      return response;
    } catch (error) {
      if ((error as AppError).code !== 'SERVICE_UNAVAILABLE') throw error;
      outcome = 'unavailable';
      return unavailableAnswer(options.request, 'document' in options ? options.document : undefined, error as AppError);
    } finally {
      this.fetchDuration?.observe({ subgraph: this.subgraph, outcome }, (performance.now() - startedAt) / 1000);
    }
  }

  /**
   * A login or switchAccount answers with a new session token; the rest of the same operation
   * (e.g. `login { activeAccount { name } }`) then runs as that session, authenticated afresh.
   */
  override async didReceiveResponse({ response, context }: Parameters<RemoteGraphQLDataSource<GatewayContext>['didReceiveResponse'] & {}>[0]) {
    const data = response.data as Record<string, { token?: unknown } | null> | undefined;
    if (data && this.dataSource) {
      for (const value of Object.values(data)) {
        const token = value && typeof value === 'object' ? value.token : undefined;
        if (typeof token === 'string' && (token.startsWith(`${SESSION_TOKEN_PREFIX}_`) || token.startsWith(`${OPERATOR_SESSION_PREFIX}_`))) {
          const principal = await authenticateBearer(this.dataSource, token);
          if (principal) {
            const previous = (context as GatewayContext).principal;
            (context as GatewayContext).principal = { ...principal, clientAddress: previous?.clientAddress, requestId: previous?.requestId };
          }
        }
      }
    }
    return response;
  }

  /**
   * A subgraph that cannot be reached (or answers 5xx) fails the fields it serves with
   * SERVICE_UNAVAILABLE naming it, never with the fetch's own text; the rest of the answer stands.
   * Another HTTP refusal is rethrown as the registered error its body carries.
   */
  override didEncounterError(error: Error, _request: unknown, response?: { status: number }): never {
    if (!response || response.status >= 500) {
      this.logger?.warn({ err: error, subgraph: this.subgraph, status: response?.status }, 'subgraph unavailable');
      throw new AppError('SERVICE_UNAVAILABLE', `The ${this.subgraph} service is unavailable; retry later`, { service: this.subgraph, retryable: true });
    }
    const body = (error as { extensions?: { response?: { body?: { errors?: { message?: string; extensions?: Record<string, unknown> }[] } } } }).extensions?.response?.body;
    throw AppError.fromRemote(body?.errors?.[0] ?? { message: 'The subgraph refused the request' });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const principal = (context as Partial<GatewayContext>).principal ?? ANONYMOUS;
    request.http?.headers.set(PRINCIPAL_HEADER, await this.signer.sign(principal, this.subgraph));
    if (principal.requestId) request.http?.headers.set('x-request-id', principal.requestId);
  }
}

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
      new SignedSubgraphDataSource(options.subgraphUrls[name as SubgraphName] ?? url!, name as SubgraphName, signer, name === 'identity' ? dataSource : undefined, logger, fetchDuration),
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
    buildContext: async (request, requestId) => {
      const token = bearerToken(request);
      const address = clientAddress(request, settings.trustProxy);
      if (!token) return { principal: { ...ANONYMOUS, clientAddress: address, requestId } };
      const principal = await authenticateBearer(dataSource, token);
      if (!principal) throw errors.unauthenticated('The session token is invalid or has expired');
      if (principal.kind === 'API_KEY' && settings.rateLimitPerApiKey > 0) {
        await enforceRateLimit(rateLimiter, `key:${principal.id}`, settings.rateLimitPerApiKey, 'API key');
      }
      return { principal: { ...principal, clientAddress: address, requestId } };
    },
    prepareOperation: async (operation, context) => {
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
