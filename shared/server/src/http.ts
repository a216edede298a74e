import http from 'node:http';
import crypto from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { AppError } from '@platform/errors';
import type { Logger } from './logger';

export interface RunningServer {
  url: string;
  port: number;
  /** Stops accepting requests, lets in-flight ones finish, then resolves. */
  close(): Promise<void>;
}

export interface GraphQLHttpOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  /** Throw an AppError (e.g. UNAUTHENTICATED) to refuse the request before execution. */
  buildContext(request: http.IncomingMessage, requestId: string): Promise<TContext>;
  ready(): Promise<boolean>;
  logger: Logger;
  maxBodyBytes?: number;
  graphqlPath?: string;
}

const HTTP_STATUS: Partial<Record<string, number>> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, BAD_REQUEST: 400 };

export function sendJson(response: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

export function sendGraphQLError(response: http.ServerResponse, code: string, message: string, status = HTTP_STATUS[code] ?? 400, headers: Record<string, string> = {}): void {
  sendJson(response, status, { errors: [{ message, extensions: { code } }] }, headers);
}

class BodyTooLargeError extends Error {}

function readBody(request: http.IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLargeError());
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function createGraphQLHandler<TContext extends BaseContext>(options: GraphQLHttpOptions<TContext>) {
  const graphqlPath = options.graphqlPath ?? '/graphql';
  const maxBodyBytes = options.maxBodyBytes ?? 1_000_000;

  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://internal');
    const requestId = (request.headers['x-request-id'] as string | undefined)?.slice(0, 100) || crypto.randomUUID();
    response.setHeader('x-request-id', requestId);
    try {
      if (url.pathname === '/health') return sendJson(response, 200, { status: 'ok' });
      if (url.pathname === '/ready') {
        const ready = await options.ready().catch(() => false);
        return sendJson(response, ready ? 200 : 503, { status: ready ? 'ready' : 'not ready' });
      }
      if (url.pathname !== graphqlPath) return sendJson(response, 404, { error: 'not found' });

      let body: unknown = undefined;
      if (request.method === 'POST') {
        const raw = await readBody(request, maxBodyBytes);
        try {
          body = raw.length ? JSON.parse(raw) : undefined;
        } catch {
          return sendGraphQLError(response, 'BAD_REQUEST', 'Body is not valid JSON');
        }
        if (Array.isArray(body)) return sendGraphQLError(response, 'BAD_REQUEST', 'Batched requests are not supported');
      }

      let context: TContext;
      try {
        context = await options.buildContext(request, requestId);
      } catch (error) {
        if (error instanceof AppError) return sendGraphQLError(response, error.code, error.message);
        throw error;
      }

      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      const result = await options.apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: url.search, body },
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
    } catch (error) {
      if (error instanceof BodyTooLargeError) {
        return sendGraphQLError(response, 'PAYLOAD_TOO_LARGE', `Request body exceeds ${maxBodyBytes} bytes`, 413);
      }
      options.logger.error({ err: error, requestId }, 'request failed');
      if (!response.headersSent) sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'Internal server error', 500);
      else response.end();
    }
  };
}

export async function listen(
  handler: http.RequestListener,
  port: number,
  host: string,
  onClose: () => Promise<void> = async () => {},
): Promise<RunningServer> {
  const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    port: address.port,
    url: `http://${hostForUrl}:${address.port}/graphql`,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const forceTimer = setTimeout(() => server.closeAllConnections(), 10_000);
      await closed;
      clearTimeout(forceTimer);
      await onClose();
    },
  };
}
