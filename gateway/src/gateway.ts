import type http from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloGateway, RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { Fetcher } from '@apollo/utils.fetcher';
import type { DataSource } from 'typeorm';
import { ANONYMOUS, authenticateBearer, PRINCIPAL_HEADER, SESSION_TOKEN_PREFIX, signPrincipal, type Principal } from '@platform/authz';
import type { PlatformConfig, SubgraphName } from '@platform/config';
import { errors, formatError } from '@platform/errors';
import { createGraphQLHandler, createLogger, listen, type Logger, type RunningServer } from '@platform/server';

export interface GatewayContext {
  principal: Principal;
}

/** Forwards the authenticated principal to a subgraph in a short-lived signed header (SPEC G2). */
class SignedSubgraphDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string,
    private readonly config: PlatformConfig,
    private readonly dataSource?: DataSource,
  ) {
    // Node's fetch keeps connections to the subgraphs alive between requests.
    super({ url, fetcher: fetch as unknown as Fetcher });
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
        if (typeof token === 'string' && token.startsWith(`${SESSION_TOKEN_PREFIX}_`)) {
          const principal = await authenticateBearer(this.dataSource, token);
          if (principal) (context as GatewayContext).principal = { ...principal, requestId: (context as GatewayContext).principal?.requestId };
        }
      }
    }
    return response;
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    const principal = (context as Partial<GatewayContext>).principal ?? ANONYMOUS;
    request.http?.headers.set(
      PRINCIPAL_HEADER,
      signPrincipal(principal, this.config.internalSigningSecret, this.config.principalHeaderTtlSeconds),
    );
    if (principal.requestId) request.http?.headers.set('x-request-id', principal.requestId);
  }
}

export interface StartGatewayOptions {
  config: PlatformConfig;
  supergraphSdl: string;
  subgraphUrls: Record<SubgraphName, string>;
  /** Reads identity's sessions to authenticate bearer tokens. */
  dataSource: DataSource;
  port?: number;
  logger?: Logger;
}

function bearerToken(request: http.IncomingMessage): string | null {
  const header = request.headers.authorization;
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw errors.unauthenticated('The Authorization header must be "Bearer <token>"');
  return match[1];
}

export async function startGateway(options: StartGatewayOptions): Promise<RunningServer> {
  const { config, dataSource } = options;
  const logger = options.logger ?? createLogger('gateway', config.logLevel);
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => new SignedSubgraphDataSource(options.subgraphUrls[name as SubgraphName] ?? url!, config, name === 'identity' ? dataSource : undefined),
  });
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: !config.isProduction,
    includeStacktraceInErrorResponses: !config.isProduction,
    formatError: (formatted, error) =>
      formatError(formatted, error, { production: config.isProduction, log: (err) => logger.error({ err }, 'unexpected error') }),
  });
  await apollo.start();

  const handler = createGraphQLHandler<GatewayContext>({
    apollo,
    logger,
    ready: async () => {
      await dataSource.query('SELECT 1');
      return true;
    },
    buildContext: async (request, requestId) => {
      const token = bearerToken(request);
      if (!token) return { principal: { ...ANONYMOUS, requestId } };
      const principal = await authenticateBearer(dataSource, token);
      if (!principal) throw errors.unauthenticated('The session token is invalid or has expired');
      return { principal: { ...principal, requestId } };
    },
  });
  const server = await listen(handler, options.port ?? config.gatewayPort, config.host, () => apollo.stop());
  logger.info({ url: server.url }, 'gateway listening');
  return server;
}
