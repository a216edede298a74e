import type http from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { sendGraphQLError } from '@platform/server';

export const EXPORTS_PREFIX = '/exports/';
/** Invoice files (SPEC B6), from the billing subgraph, passed through like exports. */
export const DOWNLOADS_PREFIX = '/downloads/';
const FORWARDED_HEADERS = ['content-type', 'content-disposition', 'cache-control'];

/**
 * GET /exports/* is passed through, streamed, to the messaging subgraph (SPEC R2: CSV usage
 * exports), and GET /downloads/* to the billing subgraph (invoice files). No principal header is signed here: each download carries its own short-lived export
 * token, made by the messaging subgraph's `createUsageExport` mutation (which the gateway did
 * authenticate) and verified by the messaging subgraph, which re-checks the permission.
 */
export function proxyExports(subgraphGraphqlUrl: string) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'GET') return sendGraphQLError(response, 'BAD_REQUEST', 'Exports are downloaded with GET', 405);
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    try {
      const upstream = await fetch(new URL(request.url ?? '/', subgraphGraphqlUrl), { signal: abort.signal });
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

export const IMPORTS_PREFIX = '/imports/';

/**
 * POST /imports/* (a contact import's CSV, SPEC M5) is streamed to the messaging subgraph as it
 * arrives, whatever its size: like an export, the upload carries its own signed link, made by the
 * authenticated `startContactImport` mutation and verified (with the permission) by the subgraph.
 * The subgraph's answer (the finished job, or its refusal) is relayed as it is.
 */
export function proxyUploads(messagingGraphqlUrl: string) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'POST') return sendGraphQLError(response, 'BAD_REQUEST', 'Uploads are sent with POST', 405);
    const abort = new AbortController();
    response.on('close', () => abort.abort());
    try {
      const upstream = await fetch(new URL(request.url ?? '/', messagingGraphqlUrl), {
        method: 'POST',
        headers: { 'content-type': request.headers['content-type'] ?? 'text/csv' },
        body: Readable.toWeb(request) as unknown as ReadableStream,
        duplex: 'half',
        signal: abort.signal,
      } as RequestInit);
      response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
      response.end(Buffer.from(await upstream.arrayBuffer()));
    } catch {
      if (!response.headersSent) sendGraphQLError(response, 'SERVICE_UNAVAILABLE', 'The upload could not be passed on; retry with a new import', 503);
      else response.destroy();
    }
  };
}

/**
 * The messaging subgraph's other public HTTP routes, passed through like /exports/*: trackable
 * short links `GET /l/<code>` (SPEC M8: the subgraph answers 302 to the stored target or 404; the
 * redirect is relayed, never followed, and only its Location header is forwarded) and the email to
 * SMS ingestion endpoint `POST /inbound/email` (SPEC M9: authenticated by the account's secret in
 * `x-email-to-sms-secret`, checked by the subgraph). No principal header is signed here: neither
 * route acts for a gateway-authenticated caller.
 */
export const SHORT_LINK_PREFIX = '/l/';
export const INBOUND_EMAIL_PATH = '/inbound/email';
const MAX_INBOUND_EMAIL_BYTES = 64 * 1024;

export function isMessagingRoute(url: string | undefined): boolean {
  if (!url) return false;
  const pathname = url.split('?')[0];
  return pathname.startsWith(SHORT_LINK_PREFIX) || pathname === INBOUND_EMAIL_PATH;
}

function readLimited(request: http.IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.resume();
        resolve(null);
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export function proxyMessagingRoutes(messagingGraphqlUrl: string) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const pathname = (request.url ?? '/').split('?')[0];
    const inbound = pathname === INBOUND_EMAIL_PATH;
    try {
      if (inbound) {
        if (request.method !== 'POST') return sendGraphQLError(response, 'BAD_REQUEST', 'Use POST', 405);
        const body = await readLimited(request, MAX_INBOUND_EMAIL_BYTES);
        if (!body) return sendGraphQLError(response, 'PAYLOAD_TOO_LARGE', `The email exceeds ${MAX_INBOUND_EMAIL_BYTES} bytes`, 413, { connection: 'close' });
        const secret = request.headers['x-email-to-sms-secret'];
        const upstream = await fetch(new URL(INBOUND_EMAIL_PATH, messagingGraphqlUrl), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(typeof secret === 'string' ? { 'x-email-to-sms-secret': secret } : {}) },
          body,
        });
        response.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
        return void response.end(Buffer.from(await upstream.arrayBuffer()));
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') return sendGraphQLError(response, 'BAD_REQUEST', 'Use GET', 405);
      // Only the path travels: the code is all the subgraph needs.
      const upstream = await fetch(new URL(pathname, messagingGraphqlUrl), { method: request.method, redirect: 'manual' });
      const headers: Record<string, string> = { 'cache-control': 'no-store' };
      const location = upstream.headers.get('location');
      if (upstream.status === 302 && location) headers.location = location;
      const contentType = upstream.headers.get('content-type');
      if (contentType) headers['content-type'] = contentType;
      response.writeHead(upstream.status === 302 && location ? 302 : upstream.status === 405 ? 405 : 404, headers);
      response.end(request.method === 'HEAD' ? undefined : Buffer.from(await upstream.arrayBuffer()));
    } catch {
      if (!response.headersSent) sendGraphQLError(response, 'INTERNAL_SERVER_ERROR', 'The messaging service could not be reached', 502);
      else response.destroy();
    }
  };
}
