import type http from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sendGraphQLError } from '@platform/server';

export const EXPORTS_PREFIX = '/exports/';
const FORWARDED_HEADERS = ['content-type', 'content-disposition', 'cache-control'];

/**
 * GET /exports/* is passed through, streamed, to the messaging subgraph (SPEC R2: CSV usage
 * exports). No principal header is signed here: each download carries its own short-lived export
 * token, made by the messaging subgraph's `createUsageExport` mutation (which the gateway did
 * authenticate) and verified by the messaging subgraph, which re-checks the permission.
 */
export function proxyExports(messagingGraphqlUrl: string) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'GET') return sendGraphQLError(response, 'BAD_REQUEST', 'Exports are downloaded with GET', 405);
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    try {
      const upstream = await fetch(new URL(request.url ?? '/', messagingGraphqlUrl), { signal: abort.signal });
      const headers: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = upstream.headers.get(name);
        if (value) headers[name] = value;
      }
      response.writeHead(upstream.status, headers);
      if (!upstream.body) return void response.end();
      Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>).on('error', () => response.destroy()).pipe(response);
    } catch {
      if (!response.headersSent) sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'The export could not be fetched', 502);
      else response.destroy();
    }
  };
}
