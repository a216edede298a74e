import type http from 'node:http';
import type { DataSource } from 'typeorm';
import { clickLink, linkTarget } from './store';
import { CODE_PATTERN, SHORT_LINK_PATH_PREFIX } from './service';

/**
 * `GET /l/<code>` counts the click and redirects to the stored target — an http(s) URL validated
 * at send time — and nothing else: unknown, malformed or expired codes answer 404, and no part of
 * the request is ever echoed into the Location header.
 */
export const SHORT_LINK_ROUTE = '/l/*';

function notFound(response: http.ServerResponse): void {
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
  response.end('Link not found or expired\n');
}

export function shortLinkRoute(dataSource: DataSource) {
  return async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' });
      return void response.end();
    }
    const pathname = new URL(request.url ?? '/', 'http://internal').pathname;
    const code = pathname.slice(SHORT_LINK_PATH_PREFIX.length);
    if (!CODE_PATTERN.test(code)) return notFound(response);
    // A HEAD (link previews) is answered without counting.
    const targetUrl = request.method === 'GET' ? await clickLink(dataSource, code) : await linkTarget(dataSource, code);
    if (!targetUrl) return notFound(response);
    let target: URL;
    try {
      target = new URL(targetUrl);
    } catch {
      return notFound(response);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') return notFound(response);
    response.writeHead(302, { location: target.href, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    response.end();
  };
}
