/**
 * The portal's production form is static files (`portal/dist`, built by Vite). This small server is what
 * `npm start` and the browser tests use to serve them: the files, `/portal-config.json` (the gateway's URL,
 * so one build serves any gateway) and index.html for every page path (the portal routes with the history
 * API). Any static server (nginx, a CDN) can do the same in production.
 */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const PORTAL_DIR = path.join(__dirname, '..');
export const PORTAL_DIST = path.join(PORTAL_DIR, 'dist');
const SOURCE_HASH_FILE = '.source-hash';
const SOURCES = ['src', 'index.html', 'vite.config.ts', 'package.json'];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

function listFiles(entry: string): string[] {
  if (!fs.existsSync(entry)) return [];
  if (!fs.statSync(entry).isDirectory()) return [entry];
  return fs
    .readdirSync(entry)
    .filter((name) => name !== '__tests__')
    .sort()
    .flatMap((name) => listFiles(path.join(entry, name)));
}

/** SHA-256 over the portal's sources (names and contents): the build is stale when it changes. */
export function portalSourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of SOURCES.flatMap((source) => listFiles(path.join(PORTAL_DIR, source)))) {
    hash.update(path.relative(PORTAL_DIR, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** Builds `portal/dist` with Vite unless it was built from the same sources; answers whether it built. */
export async function ensurePortalBuilt(log: (line: string) => void = () => {}): Promise<boolean> {
  const hash = portalSourceHash();
  const stamp = path.join(PORTAL_DIST, SOURCE_HASH_FILE);
  const upToDate = () => fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === hash && fs.existsSync(path.join(PORTAL_DIST, 'index.html'));
  if (upToDate()) return false;
  // Test suites run in parallel (and beside npm start): one builds, the others wait and find it built.
  return withBuildLock(async () => {
    if (upToDate()) return false;
    log('building the portal (vite build)…');
    const vite = path.join(path.dirname(require.resolve('vite/package.json', { paths: [PORTAL_DIR] })), 'bin', 'vite.js');
    await promisify(execFile)(process.execPath, [vite, 'build', '--logLevel', 'warn'], { cwd: PORTAL_DIR, maxBuffer: 10 * 1024 * 1024, env: { ...process.env, NODE_ENV: 'production' } });
    fs.writeFileSync(stamp, hash);
    return true;
  });
}

const BUILD_LOCK_STALE_MS = 120_000;

/** A lock directory per checkout (mkdir is atomic); one left by a killed build is taken over after 2 minutes. */
async function withBuildLock<T>(build: () => Promise<T>): Promise<T> {
  const lock = path.join(os.tmpdir(), `portal-build-${crypto.createHash('sha256').update(PORTAL_DIR).digest('hex').slice(0, 16)}.lock`);
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > BUILD_LOCK_STALE_MS) fs.rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await build();
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

export interface RunningPortal {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface PortalServerOptions {
  /** The gateway's GraphQL endpoint as the browser reaches it (a function: known only once the gateway runs) */
  gatewayUrl: string | (() => string);
  port?: number;
  host?: string;
  distDir?: string;
}

export async function startPortalServer(options: PortalServerOptions): Promise<RunningPortal> {
  const root = path.resolve(options.distDir ?? PORTAL_DIST);
  const gatewayUrl = typeof options.gatewayUrl === 'function' ? options.gatewayUrl : () => options.gatewayUrl as string;
  const server = http.createServer((request, response) => {
    const securityHeaders = {
      'content-security-policy': `default-src 'self'; connect-src 'self' ${new URL(gatewayUrl()).origin}; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'`,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://portal').pathname);
    if (pathname === '/portal-config.json') {
      response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store', ...securityHeaders }).end(JSON.stringify({ gatewayUrl: gatewayUrl() }));
      return;
    }
    let file = path.join(root, pathname);
    if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      // A page path (no extension) is the app's; a missing asset is a 404.
      if (path.extname(pathname)) {
        response.writeHead(404, { 'content-type': 'text/plain', ...securityHeaders }).end('Not found');
        return;
      }
      file = path.join(root, 'index.html');
    }
    const immutable = file.startsWith(path.join(root, 'assets') + path.sep);
    response.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      ...securityHeaders,
    });
    if (request.method === 'HEAD') response.end();
    else fs.createReadStream(file).pipe(response);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
