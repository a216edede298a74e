import type http from 'node:http';
import cors from 'cors';

/** Request headers a browser client may send cross-origin (Apollo's CSRF-safe ones included). */
const ALLOWED_HEADERS = ['content-type', 'authorization', 'apollo-require-preflight', 'x-apollo-operation-name', 'x-request-id'];
/** Response headers a browser client may read. */
const EXPOSED_HEADERS = ['x-request-id', 'retry-after'];

type Handler = (request: http.IncomingMessage, response: http.ServerResponse) => void;

/**
 * Cross-origin access for browser clients (the reference portal, customers' own web apps): only
 * the listed origins get CORS headers, with credentials; every answer varies by Origin. A preflight
 * is answered here, before Apollo's CSRF check (which still guards every other request); one from
 * an origin not listed gets 204 without CORS headers, so the browser refuses the call.
 */
export function withCors(allowedOrigins: readonly string[], next: Handler): Handler {
  const allowed = new Set(allowedOrigins);
  const middleware = cors({
    origin: (origin, decide) => decide(null, origin !== undefined && allowed.has(origin)),
    credentials: true,
    methods: ['GET', 'POST'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    optionsSuccessStatus: 204,
  });
  return (request, response) => {
    response.setHeader('vary', 'Origin');
    middleware(request, response, () => {
      // cors answers an allowed preflight itself; here are the others (and a plain OPTIONS).
      if (request.method === 'OPTIONS') {
        response.writeHead(204, { 'content-length': '0' });
        response.end();
        return;
      }
      next(request, response);
    });
  };
}
