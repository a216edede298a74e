import { fork, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GATEWAY_ISSUER, type Principal } from '@platform/authz';
import { isServerRole, nodeOptionsFor, type Ed25519Jwk, type SubgraphName } from '@platform/config';
import { createTestDatabase, startEmbeddedPostgres, type RunningPostgres } from '@platform/db';
import { freePort, principalKeyEnvironment } from '@platform/testing';

export const ROOT = path.join(__dirname, '..', '..');
export const LOG_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-logs-'));

/** A throwaway database: on DATABASE_URL's server, else on an embedded PostgreSQL started for the run. */
export interface BenchDatabase {
  url: string;
  where: string;
  drop(): Promise<void>;
}

export async function createBenchDatabase(): Promise<BenchDatabase> {
  const serverUrl = process.env.BENCH_EMBEDDED_PG === '1' ? undefined : process.env.DATABASE_URL;
  if (serverUrl) {
    const host = new URL(serverUrl).hostname;
    if (host !== '127.0.0.1' && host !== 'localhost') throw new Error(`benchmarks only target 127.0.0.1 (DATABASE_URL points at ${host})`);
    const database = await createTestDatabase(serverUrl);
    return { url: database.url, where: `throwaway database on DATABASE_URL's server (${host})`, drop: () => database.drop() };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pg-'));
  fs.chmodSync(dataDir, 0o755); // as root, initdb runs as a `postgres` user
  const port = await freePort();
  const postgres: RunningPostgres = await startEmbeddedPostgres({ dataDir, port });
  const database = await createTestDatabase(postgres.url);
  return {
    url: database.url,
    where: `embedded PostgreSQL on 127.0.0.1:${port}`,
    drop: async () => {
      await database.drop().catch(() => {});
      await postgres.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * How the server processes run: `compiled` (default) is the JavaScript of `npm run build`, as the
 * production image runs it; `tsx` transpiles TypeScript in the process, as `npm start` does (it
 * holds the sources and their source maps in memory: ~35 MB more at rest per process).
 */
export const RUNTIME: 'compiled' | 'tsx' = process.env.BENCH_RUNTIME === 'tsx' ? 'tsx' : 'compiled';

const COMPILED_DIR = path.join(ROOT, '.data', 'bench-dist');
let compiledServe: string | undefined;

/**
 * Builds the platform with scripts/build.ts into .data/bench-dist (once per run), compiles serve.ts
 * beside it, and links the workspaces' names to the compiled folders; every other package resolves
 * from the repository's node_modules above.
 */
function serveEntry(): { file: string; execArgv: string[] } {
  if (RUNTIME === 'tsx') return { file: path.join(__dirname, 'serve.ts'), execArgv: ['--import', 'tsx'] };
  if (!compiledServe) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { build, compileFile, workspaceDirs } = require('../../scripts/build') as typeof import('../../scripts/build');
    build(COMPILED_DIR);
    for (const file of ['serve', 'hive-gateway']) compileFile(path.join(__dirname, `${file}.ts`), path.join(COMPILED_DIR, 'bench', 'lib', `${file}.js`));
    for (const dir of workspaceDirs()) {
      const { name } = JSON.parse(fs.readFileSync(path.join(ROOT, dir, 'package.json'), 'utf8')) as { name: string };
      const link = path.join(COMPILED_DIR, 'node_modules', name);
      fs.mkdirSync(path.dirname(link), { recursive: true });
      fs.symlinkSync(path.relative(path.dirname(link), path.join(COMPILED_DIR, dir)), link);
    }
    compiledServe = path.join(COMPILED_DIR, 'bench', 'lib', 'serve.js');
  }
  return { file: compiledServe, execArgv: [] };
}

/**
 * BENCH_PROFILE=<dir> writes a V8 CPU profile of the processes named in BENCH_PROFILE_PROCESSES
 * (comma-separated labels; default gateway,account-hierarchy) when they exit; summarise one with
 * `npx tsx bench/lib/profile.ts <dir>/<label>/<largest file>`.
 */
function profileFlags(label: string): string[] {
  const dir = process.env.BENCH_PROFILE;
  const labels = (process.env.BENCH_PROFILE_PROCESSES ?? 'gateway,account-hierarchy').split(',');
  if (!dir || !labels.includes(label)) return [];
  // One folder per process: under tsx its loader thread writes a profile of its own next to the main thread's (the larger one).
  return ['--cpu-prof', `--cpu-prof-dir=${path.resolve(dir, label)}`];
}

/**
 * The V8 heap settings of a server process, as production gives them (@platform/config's
 * HEAP_SETTINGS, the gateways included): the role's NODE_OPTIONS; serve.ts sets the growing factor itself at start, as the
 * production entry does. BENCH_V8_FLAGS replaces them with V8 flags on the command line of every
 * server (for comparisons; an empty value gives V8's defaults), BENCH_V8_FLAGS_GATEWAY those of the
 * gateways alone. Flags such as --heap-growing-percent are refused in NODE_OPTIONS (node exits with 9).
 */
function heapSettings(args: string[]): { execArgv: string[]; nodeOptions?: string } {
  const [kind, name] = args;
  const heapRole = kind === 'subgraph' ? name : kind;
  const role = heapRole !== undefined && isServerRole(heapRole) ? heapRole : null;
  const override = (kind === 'gateway' ? process.env.BENCH_V8_FLAGS_GATEWAY : undefined) ?? process.env.BENCH_V8_FLAGS;
  if (override !== undefined) {
    const flags = override.split(' ').filter(Boolean);
    // The role's growing factor is set by serve.ts unless the command line has one: 0 is V8's own.
    return { execArgv: flags.some((flag) => flag.startsWith('--heap-growing-percent')) ? flags : [...flags, '--heap-growing-percent=0'] };
  }
  return { execArgv: [], nodeOptions: role ? nodeOptionsFor(role) : undefined };
}

/** One server process (see serve.ts) with its IPC channel. */
export class ServerProcess {
  readonly url: string;
  readonly pid: number;
  private constructor(
    readonly label: string,
    private readonly child: ChildProcess,
    ready: { url: string; pid: number },
    private readonly output: () => string,
  ) {
    this.url = ready.url;
    this.pid = ready.pid;
  }

  static async start(label: string, args: string[], env: NodeJS.ProcessEnv, execArgv: string[] = []): Promise<ServerProcess> {
    // Logs go to a file, as a log shipper would take them, so reading them costs the load generator nothing.
    const logFile = path.join(LOG_DIR, `${label}.log`);
    const fd = fs.openSync(logFile, 'w');
    const entry = serveEntry();
    const heap = heapSettings(args);
    const child = fork(entry.file, args, {
      cwd: ROOT,
      env: heap.nodeOptions && !env.NODE_OPTIONS ? { ...env, NODE_OPTIONS: heap.nodeOptions } : env,
      execArgv: [...entry.execArgv, ...profileFlags(label), ...heap.execArgv, ...execArgv],
      stdio: ['ignore', fd, fd, 'ipc'],
    });
    fs.closeSync(fd);
    const tail = () => {
      const text = fs.readFileSync(logFile, 'utf8');
      return text.slice(-4000);
    };
    const ready = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${label} did not start within 60 s:\n${tail()}`)), 60_000);
      child.on('message', (message: { type: string; url: string; pid: number }) => {
        if (message.type === 'ready') {
          clearTimeout(timer);
          resolve(message);
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${label} exited with ${code}:\n${tail()}`));
      });
    });
    return new ServerProcess(label, child, ready, tail);
  }

  private request<T>(message: object, reply: string, timeoutMs = 5_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.label}: no ${reply} reply`)), timeoutMs);
      const onMessage = (answer: { type: string } & T) => {
        if (answer.type !== reply) return;
        clearTimeout(timer);
        this.child.off('message', onMessage);
        resolve(answer);
      };
      this.child.on('message', onMessage);
      this.child.send(message);
    });
  }

  async statementCount(): Promise<number> {
    return (await this.request<{ count: number }>({ type: 'count' }, 'count')).count;
  }

  /** Bytes: resident set and V8 heap in use now, and the largest heap in use sampled since the process started. */
  async memory(): Promise<{ rss: number; heapUsed: number; peakHeapUsed: number }> {
    return this.request<{ rss: number; heapUsed: number; peakHeapUsed: number }>({ type: 'memory' }, 'memory');
  }

  /**
   * Starts V8's sampling heap profiler in the process: every allocation, freed ones included, or with
   * `survivors` only the objects no scavenge freed (promoted); `stopAllocationSampling` writes the profile.
   */
  async startAllocationSampling(options: { survivors?: boolean } = {}): Promise<void> {
    await this.request({ type: 'sample-allocations', survivors: options.survivors }, 'sample-allocations');
  }

  async stopAllocationSampling(file: string): Promise<void> {
    await this.request({ type: 'sample-allocations', file }, 'sample-allocations');
  }

  /** Writes a heap snapshot of the process to file (V8 collects in full first); answers the heap in use after it, in bytes. */
  async heapSnapshot(file: string): Promise<number> {
    return (await this.request<{ heapUsed: number }>({ type: 'heap-snapshot', file }, 'heap-snapshot', 60_000)).heapUsed;
  }

  resetStatements(): void {
    this.child.send({ type: 'reset' });
  }

  /** VmHWM of /proc/<pid>/status: the process's peak resident set size, in MB. */
  peakRssMb(): number {
    const status = fs.readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  /** CPU time the process has used so far (utime + stime of /proc/<pid>/stat), in ms. */
  cpuMs(): number {
    const fields = fs.readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  }

  logTail(): string {
    return this.output();
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.send({ type: 'stop' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** The environment of every server process of a bench run: production mode, a fresh signing secret. */
export function serverEnvironment(databaseUrl: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    // Small pools: several process sets share one PostgreSQL (and other engineers' tests may too).
    DATABASE_POOL_SIZE: '4',
    HOST: '127.0.0.1',
    INTERNAL_SIGNING_SECRET: BENCH_SIGNING_SECRET,
    // Production refuses to start without its secrets and keys; the bench makes throwaway ones.
    WEBHOOK_ENCRYPTION_KEY: crypto.randomBytes(32).toString('hex'),
    ...BENCH_KEY_ENVIRONMENT,
    // Production default: one access-log line per request in every process.
    LOG_LEVEL: 'info',
    // The per-address limiter runs (its cost is part of every request) but never refuses the load generator.
    RATE_LIMIT_PER_IP: '1000000',
    RATE_LIMIT_PER_API_KEY: '1000000',
    BILLING_SWEEP_INTERVAL_MS: '0',
    HIERARCHY_PORT: '0',
    IDENTITY_PORT: '0',
    MESSAGING_PORT: '0',
    BILLING_PORT: '0',
    PORT: '0',
    ...overrides,
  };
  return env;
}

export const BENCH_SIGNING_SECRET = crypto.randomBytes(32).toString('hex');

export const BENCH_KEY_ENVIRONMENT = principalKeyEnvironment();
const benchGatewayKey = JSON.parse(BENCH_KEY_ENVIRONMENT.GATEWAY_PRINCIPAL_PRIVATE_KEY) as Ed25519Jwk;

/**
 * A principal token for a direct call to a subgraph, as the gateway would sign it. Synchronous
 * (node:crypto rather than jose's async signer) because autocannon builds each request
 * synchronously, and each token is accepted once.
 */
export function benchPrincipalToken(principal: Principal, audience: SubgraphName): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = encode({ alg: 'EdDSA', kid: benchGatewayKey.kid, typ: 'platform-principal+jwt' });
  const payload = encode({ pk: principal.kind, act: principal.actingAccountId, sid: principal.sessionId, iss: GATEWAY_ISSUER, aud: audience, sub: principal.id, iat: now, exp: now + 30, jti: crypto.randomUUID() });
  const key = crypto.createPrivateKey({ key: benchGatewayKey as unknown as crypto.JsonWebKey, format: 'jwk' });
  return `${header}.${payload}.${crypto.sign(null, Buffer.from(`${header}.${payload}`), key).toString('base64url')}`;
}

const URL_VARIABLES: Record<SubgraphName, string> = { 'account-hierarchy': 'HIERARCHY_URL', identity: 'IDENTITY_URL', messaging: 'MESSAGING_URL', billing: 'BILLING_URL' };

/** The four subgraphs and a gateway, each its own process; billing first (messaging calls it at BILLING_URL). */
export interface ServerSet {
  subgraphs: Record<SubgraphName, ServerProcess>;
  gateway: ServerProcess;
  /** every process started, for stop() and the peak RSS table */
  started: ServerProcess[];
  /** a GraphQL request through the gateway; throws on any error */
  gql(query: string, variables: Record<string, unknown>, token?: string): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** a session token of a demo user */
  login(email: string, password: string): Promise<string>;
}

/** `suffix` tells the processes of several sets apart (labels and log files: `gateway<suffix>`). */
export async function startServerSet(base: NodeJS.ProcessEnv, started: ServerProcess[] = [], suffix = ''): Promise<ServerSet> {
  const billing = await ServerProcess.start(`billing${suffix}`, ['subgraph', 'billing'], base);
  started.push(billing);
  const others = (Object.keys(URL_VARIABLES) as SubgraphName[]).filter((name) => name !== 'billing');
  const servers = await Promise.all(
    others.map(async (name) => {
      const server = await ServerProcess.start(`${name}${suffix}`, ['subgraph', name], { ...base, BILLING_URL: billing.url });
      started.push(server);
      return server;
    }),
  );
  const subgraphs = { billing, ...Object.fromEntries(others.map((name, i) => [name, servers[i]])) } as Record<SubgraphName, ServerProcess>;
  const urls = Object.fromEntries((Object.keys(subgraphs) as SubgraphName[]).map((name) => [URL_VARIABLES[name], subgraphs[name].url]));
  const gateway = await ServerProcess.start(`gateway${suffix}`, ['gateway'], { ...base, ...urls });
  started.push(gateway);
  const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const response = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: any; errors?: { message: string }[] }; // eslint-disable-line @typescript-eslint/no-explicit-any
    if (body.errors) throw new Error(`${query.slice(0, 60)}…: ${body.errors[0].message}`);
    return body.data;
  };
  const login = async (email: string, password: string) =>
    (await gql('mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', { e: email, p: password })).login.token as string;
  return { subgraphs, gateway, started, gql, login };
}
