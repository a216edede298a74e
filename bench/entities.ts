/**
 * `npx tsx bench/entities.ts [messaging|billing|account-hierarchy ...]`: one subgraph's part of the
 * 10,000-account tree (the `_entities` call the gateway sends it: 10,000 Account references; for the
 * account-hierarchy, the `accountTree { __typename id name }` the gateway asks it), executed in this process on
 * the subgraph's schema (shield included) with a real request context and database, without HTTP and
 * JSON. For quick iteration on a subgraph's execution path; `npm run bench` measures the whole request.
 * Prints per request (medians of ENTITIES_REQUESTS, default 15, after 3 warm-up requests): wall time,
 * CPU time of this process, time in garbage collection, and the heap allocated (heap growth with
 * collections excluded is not observable; V8's total allocated bytes are not exposed, so this is
 * heapUsed after minus before, with `--expose-gc` collecting before each request: a lower bound; that
 * collection also shrinks the heap, so read CPU and GC from a run without the flag).
 * ENTITIES_PROFILE=<dir> writes a CPU profile of the measured requests. Runs with NODE_ENV=production, as the servers.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { parse, type DocumentNode, type ExecutionResult } from 'graphql';
import { execute } from 'graphql';
import { Pool } from 'pg';
import { AccessControl, type Principal } from '@platform/authz';
import { loadConfig, type SubgraphName } from '@platform/config';
import { demoAccount, demoUser } from '@platform/demo-data';
import { prepareDatabase, SUBGRAPHS } from '@platform/platform';
import { buildSubgraph, createLogger } from '@platform/server';
import { createBenchDatabase, serverEnvironment } from './lib/cluster';
import { seedTrees } from './platform';
import { runScript } from './lib/result';
import { fmt, median } from './lib/stats';

const REQUESTS = Number(process.env.ENTITIES_REQUESTS ?? 15);
const SIZE = 10_000;
const FIELDS: Partial<Record<SubgraphName, string>> = { messaging: 'messageCount', billing: 'balance' };

/** The execution being measured: graphql-js's `execute`, or another executor of the same schema and document. */
export type Executor = (document: DocumentNode, variables: Record<string, unknown>, contextValue: unknown) => ExecutionResult | Promise<ExecutionResult>;

let gcMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcMs += entry.duration;
}).observe({ entryTypes: ['gc'] });

const collect = (globalThis as { gc?: () => void }).gc;

/** ENTITIES_PROFILE=<dir>: a V8 CPU profile of the measured requests alone (not of the setup), one file per subgraph; summarise with bench/lib/profile.ts. */
async function startProfile(): Promise<((name: string) => Promise<void>) | undefined> {
  const dir = process.env.ENTITIES_PROFILE;
  if (!dir) return undefined;
  const session = new inspector.Session();
  session.connect();
  const post = (method: string) => new Promise<any>((resolve, reject) => session.post(method, (error, result) => (error ? reject(error) : resolve(result)))); // eslint-disable-line @typescript-eslint/no-explicit-any
  await post('Profiler.enable');
  await post('Profiler.start');
  return async (name) => {
    const { profile } = await post('Profiler.stop');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

async function measure(name: SubgraphName, databaseUrl: string, ids: string[], root: string): Promise<string> {
  const subgraph = SUBGRAPHS[name];
  const config = loadConfig(serverEnvironment(databaseUrl));
  const dataSource = subgraph.createDataSource(databaseUrl, { poolSize: 4 });
  await dataSource.initialize();
  try {
    const { schema } = buildSubgraph(subgraph);
    const tree = name === 'account-hierarchy';
    const document = parse(tree ? 'query($id: ID!) { accountTree(rootId: $id) { __typename id name } }' : `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { ${FIELDS[name]} } } }`);
    const variables = tree ? { id: root } : { r: ids.map((id) => ({ __typename: 'Account', id })) };
    const principal: Principal = { kind: 'USER', id: demoUser('hq-admin').id, actingAccountId: demoAccount('hq').id, sessionId: null };
    const logger = createLogger(name, 'warn');
    const run: Executor = (doc, variableValues, contextValue) => execute({ schema, document: doc, variableValues, contextValue });
    const once = async () => {
      const context = subgraph.createContext({ principal, access: new AccessControl(principal, dataSource), requestId: 'bench', logger, config }, dataSource);
      const result = await run(document, variables, context);
      if (result.errors?.length) throw new Error(`${name}: ${result.errors[0].message}`);
      return result;
    };
    for (let i = 0; i < 3; i++) await once();
    const profile = await startProfile();
    const wall: number[] = [];
    const cpu: number[] = [];
    const gc: number[] = [];
    const heap: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      collect?.();
      await new Promise((resolve) => setImmediate(resolve)); // the observer reports that collection before the request starts
      const heapBefore = process.memoryUsage().heapUsed;
      const gcBefore = gcMs;
      const cpuBefore = process.cpuUsage();
      const startedAt = performance.now();
      await once();
      wall.push(performance.now() - startedAt);
      const used = process.cpuUsage(cpuBefore);
      cpu.push((used.user + used.system) / 1000);
      gc.push(gcMs - gcBefore);
      heap.push((process.memoryUsage().heapUsed - heapBefore) / 2 ** 20);
    }
    await profile?.(name);
    return `| ${name} | ${fmt(median(wall))} ms | ${fmt(median(cpu))} ms | ${fmt(median(gc))} ms | ${collect ? `${fmt(median(heap), 1)} MB` : 'run with --expose-gc'} |`;
  } finally {
    await dataSource.destroy();
  }
}

async function main() {
  const names = (process.argv.slice(2).length ? process.argv.slice(2) : ['messaging', 'billing']) as SubgraphName[];
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const { accountIds, roots } = await seedTrees(sql, [SIZE]);
    const lines = [`_entities of ${SIZE.toLocaleString('en')} Account references, in process, medians of ${REQUESTS} requests`, '', '| subgraph | wall | CPU | GC | heap growth |', '|---|---|---|---|---|'];
    for (const name of names) lines.push(await measure(name, database.url, accountIds[SIZE], roots[SIZE]));
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await sql.end();
    await database.drop();
  }
}

if (require.main === module) {
  // graphql-js picks its checks when loaded: outside production, every isObjectType/isListType that
  // answers false also compares class names (~10 % of the hierarchy's part). The servers run with
  // NODE_ENV=production (bench/lib/cluster.ts), so this process does too.
  if (process.env.NODE_ENV === 'production') runScript(main);
  else process.exitCode = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } }).status ?? 1;
}
