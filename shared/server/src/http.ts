import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { AppError, errors, findIllFormedStringInJson, httpStatusOf } from '@platform/errors';
import type { Logger } from './logger';
import type { Metrics } from './metrics';

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting requests, lets in-flight ones finish, then resolves. */
  close(): Promise<void>;
}

/** The GraphQL parameters of an HTTP request: the JSON body of a POST, the query string of a GET. */
export interface HttpOperation {
  method: string;
  search: string;
  body: unknown;
}

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Throw an AppError (e.g. UNAUTHENTICATED) to refuse the request before execution. */
  buildContext(request: http.IncomingMessage, requestId: string): Promise<TContext>;
  /**
   * Starts buildContext once the headers are read, while the body is read and parsed (it reads the
   * headers only; the gateway's session lookup is a round trip to PostgreSQL). A refusal of the body
   * is still the answer when both would refuse.
   */
  buildContextBeforeBody?: boolean;
  ready(): Promise<boolean>;
  logger: Logger;
  maxBodyBytes?: number;
  graphqlPath?: string;
  /** Runs before the body is read; throw an AppError (e.g. RATE_LIMITED) to refuse cheaply. */
  admit?(request: http.IncomingMessage): Promise<void>;
  /** Runs once the caller is known; may rewrite the operation or throw an AppError to refuse it. */
  prepareOperation?(operation: HttpOperation, context: TContext): Promise<HttpOperation>;
  /** Served for a browser's GET of the GraphQL path without parameters (development explorer). */
  explorerHtml?: string;
  /** Serves `GET /metrics` from this registry when given. */
  metrics?: Metrics;
  /** Told the code of each request refused before execution (rate limit, authentication, body size), which Apollo never sees. */
  onRefusal?(code: string): void;
  /** Other paths this server answers (e.g. messaging's streamed CSV export), by exact pathname, or every path under a key ending in `/*`. */
  routes?: Record<string, HttpRoute>;
}

export type HttpRoute = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>;

const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;

/** A client's x-request-id is kept when it is a plain token (it ends up in logs); otherwise a fresh one. */
function requestIdOf(request: http.IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : crypto.randomUUID();
}

/**
 * Fields of the access-log line that only Apollo knows. Apollo shallow-copies the context, so
 * the record travels under a symbol key that the copy keeps.
 */
const REQUEST_LOG = Symbol('requestLog');
interface RequestLogFields {
  operationName?: string;
}

/**
 * An operationName that names no operation of the document, or a document of several operations
 * without one, is the client's mistake: 400 OPERATION_RESOLUTION_FAILURE before anything runs
 * (the gateway's executor would otherwise throw it as an internal error, HTTP 500).
 */
export const operationResolutionPlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ operation, request }) {
        if (operation) return;
        throw new AppError(
          'OPERATION_RESOLUTION_FAILURE',
          request.operationName ? 'The document has no operation of that operationName' : 'The document holds several operations: name one with operationName',
          { http: { status: 400 } },
        );
      },
    };
  },
};

/** Records the resolved operation name of each request for the access log line. */
export const operationNamePlugin: ApolloServerPlugin<BaseContext> = {
  async requestDidStart() {
    return {
      async didResolveOperation({ contextValue, operationName }) {
        const log = (contextValue as { [REQUEST_LOG]?: RequestLogFields })[REQUEST_LOG];
        if (log && operationName) log.operationName = operationName;
      },
    };
  },
};

/** Answers a refusal (an AppError) with its code, its HTTP status and Retry-After when it has one. */
export function sendRefusal(response: http.ServerResponse, error: AppError): void {
  const { http: _http, ...extensions } = error.extensions as Record<string, unknown>;
  const retryAfter = extensions.retryAfterSeconds;
  const headers: Record<string, string> = typeof retryAfter === 'number' ? { 'retry-after': String(retryAfter) } : {};
  sendJson(response, httpStatusOf(error.code), { errors: [{ message: error.message, extensions: { ...extensions, code: error.code } }] }, headers);
}

export function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendGraphQLError(response: http.ServerResponse, code: string, message: string, status = httpStatusOf(code), headers: Record<string, string> = {}): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] }, headers);
}

class BodyTooLargeError extends Error {}

/** The request's body as text; BodyTooLargeError past `limit` bytes. */
export function readBody(request: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        // The rest is discarded; the 413 answer closes the connection so the client stops sending.
        request.off('data', onData);
        request.resume();
        reject(new BodyTooLargeError());
        return;
      }
      chunks.push(chunk);
    };
    request.on('data', onData);
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** A route key ending in `/*` answers every longer path under it (e.g. messaging's short links `/l/*`). */
function prefixRoute(routes: Record<string, HttpRoute> | undefined, pathname: string): HttpRoute | undefined {
  if (!routes) return undefined;
  for (const [key, route] of Object.entries(routes)) {
    if (key.endsWith('/*') && pathname.length > key.length - 1 && pathname.startsWith(key.slice(0, -1))) return route;
  }
  return undefined;
}

export function createGraphQLHandler<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>) {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;
  const { logger } = options;

  const handle = async (request: http.IncomingMessage, response: http.ServerResponse, url: URL, requestId: string, log: RequestLogFields): Promise<void> => {
    if (options.admit) await options.admit(request);
    const earlyContext = options.buildContextBeforeBody ? options.buildContext(request, requestId) : undefined;
    // Read below, unless the body is refused first.
    earlyContext?.catch(() => {});

    let body: unknown = undefined;
    if (request.method === 'POST') {
      const raw = await readBody(request, maxBodyBytes);
      try {
        body = raw.length ? JSON.parse(raw) : undefined;
      } catch {
        return sendGraphQLError(response, 'BAD_REQUEST', 'Body is not valid JSON');
      }
      if (Array.isArray(body)) {
        return sendGraphQLError(response, 'BAD_REQUEST', 'Batched requests are not supported');
      }
      const illFormed = findIllFormedStringInJson(raw, body);
      if (illFormed !== null) throw errors.badInput('Strings must be well-formed Unicode (this one holds a lone UTF-16 surrogate)', illFormed);
    } else if (options.explorerHtml && request.method === 'GET' && url.search === '' && request.headers.accept?.includes('text/html')) {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(options.explorerHtml);
      return;
    }

    const context = await (earlyContext ?? options.buildContext(request, requestId));
    (context as { [REQUEST_LOG]?: RequestLogFields })[REQUEST_LOG] = log;
    let operation: HttpOperation = { method: request.method ?? 'GET', search: url.search, body };
    if (options.prepareOperation) operation = await options.prepareOperation(operation, context);

    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    const result = await options.apollo.executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: operation.method, headers, search: operation.search, body: operation.body },
      context: async () => context,
    });
    for (const [key, value] of result.headers) response.setHeader(key, value);
    response.statusCode = result.status ?? 200;
    if (result.body.kind === 'complete') {
      response.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) response.write(chunk);
      response.end();
    }
  };

  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://internal');
    if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
    if (url.pathname === '/metrics' && options.metrics && request.method === 'GET') return options.metrics.respond(response);
    if (url.pathname === '/ready') {
      const ready = await options.ready().catch(() => false);
      return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
    }
    const route = options.routes?.[url.pathname] ?? prefixRoute(options.routes, url.pathname);
    if (route) {
      return route(request, response).catch((error) => {
        logger.error({ err: error }, 'route failed');
        if (!response.headersSent) sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error', 500);
        else response.destroy();
      });
    }
    if (url.pathname !== graphqlPath) return sendJson(response, 404, { error: 'not found' });

    const log: RequestLogFields = {};
    await answerAndLog(request, response, { logger, maxBodyBytes, onRefusal: options.onRefusal, operationName: () => log.operationName }, (requestId) =>
      handle(request, response, url, requestId, log),
    );
  };
}

/**
 * One request of an API (GraphQL, or an internal call): `handle` answers it, given its request id
 * (x-request-id); what it throws is answered here (413 for a body over `maxBodyBytes`, an AppError
 * as its refusal, anything else as 500, logged), then the request's one access-log line is written.
 */
export async function answerAndLog(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  options: { logger: Logger; maxBodyBytes: number; onRefusal?(code: string): void; operationName(): string | undefined },
  handle: (requestId: string) => Promise<void>,
): Promise<void> {
  const { logger } = options;
  const startedAt = performance.now();
  const requestId = requestIdOf(request);
  response.setHeader('x-request-id', requestId);
  try {
    await handle(requestId);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      options.onRefusal?.('PAYLOAD_TOO_LARGE');
      sendGraphQLError(response, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${options.maxBodyBytes} bytes`, 413, { connection: 'close' });
    } else if (error instanceof AppError) {
      options.onRefusal?.(error.code);
      sendRefusal(response, error);
    } else {
      logger.error({ err: error, requestId }, 'request failed');
      if (!response.headersSent) sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error', 500);
      else response.end();
    }
  }
  // One access-log line per request, written after the response has been handed to the socket.
  if (logger.isLevelEnabled('info')) {
    logger.info(
      {
        requestId,
        method: request.method,
        status: response.statusCode,
        operationName: options.operationName(),
        durationMs: Math.round((performance.now() - startedAt) * 100) / 100,
      },
      'request',
    );
  }
}

export interface ListenOptions {
  /** In-flight requests get this long to finish on close before their connections are cut. */
  shutdownTimeoutMs?: number;
}

export async function listen(
  handler: http.RequestListener,
  port: number,
  host: string,
  onClose: () => Promise<void> = async () => {},
  listenOptions: ListenOptions = {},
): Promise<RunningServer> {
  let draining = false;
  const server = http.createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    // While draining, every response closes its connection so keep-alive clients reconnect elsewhere.
    if (draining) response.setHeader('connection', 'close');
    handler(request, response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = host === '0.0.0.0' ? '127.0.0.1' : host;
  let closing: Promise<void> | undefined;
  return {
    port: address.port,
    url: `http://${hostForUrl}:${address.port}/graphql`,
    close: () => {
      closing ??= (async () => {
        draining = true;
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Keep-alive connections whose request was in flight become idle only when it ends.
        const idleSweeper = setInterval(() => server.closeIdleConnections(), 50);
        const forceTimer = setTimeout(() => server.closeAllConnections(), listenOptions.shutdownTimeoutMs ?? 10_000);
        await closed;
        clearInterval(idleSweeper);
        clearTimeout(forceTimer);
        await onClose();
      })();
      return closing;
    },
  };
}

/**
 * A listener of its own for `/metrics` (METRICS_PORT), away from a public port. It also answers
 * `/health`, the liveness probe of processes without another listener (delivery workers, webhook dispatchers).
 */
export async function startMetricsServer(metrics: Metrics, port: number, host: string): Promise<RunningServer> {
  return listen(
    (request, response) => {
      const pathname = new URL(request.url ?? '/', 'http://internal').pathname;
      if (pathname === '/health') return sendJson(response, 200, { status: 'ok' });
      if (pathname === '/metrics' && request.method === 'GET') return void metrics.respond(response);
      sendJson(response, 404, { error: 'not found' });
    },
    port,
    host,
  );
}
