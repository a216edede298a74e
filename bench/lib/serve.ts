/**
 * A server process of the benchmarks: one subgraph or the gateway, as in production
 * (`scripts/run-subgraph.ts`, `gateway/src/main.ts`), configured from the environment, plus an
 * IPC channel to the bench runner that started it (fork):
 *   → { type: 'ready', url, pid }            once listening (port 0 allowed: the URL tells which)
 *   ← { type: 'count' } → { type: 'count', count }   SQL statements sent since the last reset
 *   ← { type: 'memory' } → { type: 'memory', rss, heapUsed, peakHeapUsed }   bytes now, and the
 *                                            largest heapUsed sampled every 20 ms since start
 *   ← { type: 'reset' }, ← { type: 'stop' }   (stop drains, closes the pool and exits)
 * Statements are counted by the data source's counting logger (no statement is logged).
 *   ← { type: 'sample-allocations', survivors? } starts V8's sampling heap profiler (survivors: only objects no
 *     scavenge freed), ← { type: 'sample-allocations', file }
 *     stops it and writes the profile to file; each answered by { type: 'sample-allocations' }
 *   ← { type: 'heap-snapshot', file } writes a heap snapshot (after V8's full collection) →
 *     { type: 'heap-snapshot', heapUsed }   the heap in use after it: what the process retains
 *
 *   node .data/bench-dist/bench/lib/serve.js gateway      (compiled: bench/lib/cluster.ts builds it)
 *   node --import tsx bench/lib/serve.ts subgraph <name> [--rules=off | --shield=off]
 *   node .data/bench-dist/bench/lib/serve.js hive-gateway   (the comparison gateway of figure 1, bench/lib/hive-gateway.ts)
 *
 * The baselines of the authorization figure, in bench code only (never flags of the platform):
 * `--rules=off` is a copy of the subgraph definition whose permissions answer true on every field
 * (shield's middleware wraps every field, as it did before issue 17; no rule checks anything); `--shield=off` serves the subgraph's schema
 * with no shield middleware at all.
 */
import '@platform/telemetry/register';
import fs from 'node:fs';
import inspector from 'node:inspector';
import v8 from 'node:v8';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isObjectType } from 'graphql';
import { rule } from '@platform/authz';
import { applyHeapSettings, isServerRole, loadConfig, SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';
import { QueryCounter } from '@platform/db';
import { buildUnguardedSubgraphSchema, createLogger, startSubgraph, type RunningServer, type Subgraph } from '@platform/server';
import { startSubgraphJobs } from '@platform/platform/jobs';
import { loadSubgraph } from '@platform/platform/one-subgraph';
import type { DataSource } from 'typeorm';

type Message = { type: 'count' } | { type: 'reset' } | { type: 'stop' } | { type: 'memory' } | { type: 'sample-allocations'; file?: string; survivors?: boolean } | { type: 'heap-snapshot'; file: string };

let peakHeapUsed = 0;
// The heap alone (process.memoryUsage() also reads /proc for the RSS, ~4 % of a subgraph's busy time at
// 20 ms; the peak RSS is the kernel's VmHWM), sampled every 50 ms.
const sampleHeap = () => {
  peakHeapUsed = Math.max(peakHeapUsed, v8.getHeapStatistics().used_heap_size);
};
setInterval(sampleHeap, 50).unref();

/**
 * V8's sampling heap profiler, counting the objects the collector has freed too: what the process
 * allocates, not what it retains (`--heap-prof` keeps only the survivors).
 */
class AllocationSampling {
  private session: inspector.Session | undefined;

  private post<T>(method: string, params?: object): Promise<T> {
    return new Promise((resolve, reject) => this.session!.post(method, params, (error, result) => (error ? reject(error) : resolve(result as T))));
  }

  /** `survivors`: only objects no scavenge freed (promoted to the old generation, or alive at the end). */
  async start(survivors: boolean): Promise<void> {
    this.session = new inspector.Session();
    this.session.connect();
    await this.post('HeapProfiler.startSampling', { samplingInterval: 16_384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: !survivors });
  }

  async stop(file: string): Promise<void> {
    const { profile } = await this.post<{ profile: unknown }>('HeapProfiler.stopSampling');
    fs.writeFileSync(file, JSON.stringify(profile));
    this.session!.disconnect();
    this.session = undefined;
  }
}
const allocationSampling = new AllocationSampling();

/**
 * A rule that answers true without looking at anything. Not shield's `allow`, which applyShield
 * leaves unwrapped: this one keeps graphql-middleware's and shield's wrapper on every field.
 */
const allowEveryField = rule('bench:allow-every-field', { cache: 'no_cache' })(() => true);

/** The same subgraph with every field of every object type allowed: shield's middleware runs on every field, no rule checks anything. */
export function withoutRules(subgraph: Subgraph): Subgraph {
  const schema = buildSubgraphSchema({ typeDefs: subgraph.typeDefs });
  const permissions: Record<string, Record<string, typeof allowEveryField>> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    // _Service and the federation fields of Query have their rules in every build (federationRules).
    if (!isObjectType(type) || type.name.startsWith('__') || type.name === '_Service') continue;
    permissions[type.name] = Object.fromEntries(Object.keys(type.getFields()).map((field) => [field, allowEveryField]));
  }
  return { ...subgraph, modules: subgraph.modules.map((module, index) => ({ ...module, permissions: index === 0 ? permissions : undefined })) };
}

async function main(): Promise<void> {
  const [role, name, ...flags] = process.argv.slice(2);
  // As the production entry (scripts/platform.ts).
  const heapRole = role === 'subgraph' ? name : role;
  if (heapRole !== undefined && isServerRole(heapRole)) applyHeapSettings(heapRole);
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error('DATABASE_URL is required');
  const queryCounter = new QueryCounter();
  let server: Pick<RunningServer, 'url' | 'close'>;
  let dataSource: DataSource | undefined;
  let backgroundJobs: { stop(): Promise<void> } | undefined;
  // Each role loads only its own packages, as the production entries do (gateway/src/main.ts, scripts/run-subgraph.ts).
  if (role === 'gateway') {
    const { createGatewayDataSource, readCommittedSupergraph, startGateway } = await import('@platform/gateway');
    dataSource = createGatewayDataSource(config.databaseUrl, { poolSize: config.databasePoolSize, queryCounter });
    await dataSource.initialize();
    server = await startGateway({ config, supergraphSdl: readCommittedSupergraph(), subgraphUrls: config.subgraphUrls, dataSource });
  } else if (role === 'hive-gateway') {
    // Loaded only in this role: the other processes do not hold Hive Gateway's modules.
    const { startHiveGateway } = require('./hive-gateway') as typeof import('./hive-gateway'); // eslint-disable-line @typescript-eslint/no-require-imports
    const { readCommittedSupergraph } = await import('@platform/gateway');
    server = await startHiveGateway(config, readCommittedSupergraph());
  } else if (role === 'subgraph' && SUBGRAPH_NAMES.includes(name as SubgraphName)) {
    const service = await loadSubgraph(name as SubgraphName);
    const definition = flags.includes('--rules=off') ? withoutRules(service) : service;
    const schema = flags.includes('--shield=off') ? buildUnguardedSubgraphSchema(service) : undefined;
    dataSource = service.createDataSource(config.databaseUrl, { poolSize: config.databasePoolSize, queryCounter });
    await dataSource.initialize();
    const logger = createLogger(name, config.logLevel);
    server = await startSubgraph(definition, { config, dataSource, logger, schema });
    backgroundJobs = (await startSubgraphJobs(service, config.databaseUrl, config, logger)) ?? undefined;
  } else {
    throw new Error(`usage: serve.ts gateway | hive-gateway | subgraph <${SUBGRAPH_NAMES.join('|')}> [--rules=off | --shield=off]`);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.close();
    await backgroundJobs?.stop();
    await dataSource?.destroy();
    process.exit(0);
  };
  process.on('message', (message: Message) => {
    if (message.type === 'count') process.send?.({ type: 'count', count: queryCounter.count });
    else if (message.type === 'reset') queryCounter.reset();
    else if (message.type === 'memory') {
      sampleHeap();
      const { rss, heapUsed } = process.memoryUsage();
      process.send?.({ type: 'memory', rss, heapUsed, peakHeapUsed });
    }
    else if (message.type === 'sample-allocations') {
      const done = message.file ? allocationSampling.stop(message.file) : allocationSampling.start(message.survivors === true);
      void done.then(() => process.send?.({ type: 'sample-allocations' }));
    }
    else if (message.type === 'heap-snapshot') {
      v8.writeHeapSnapshot(message.file);
      process.send?.({ type: 'heap-snapshot', heapUsed: process.memoryUsage().heapUsed });
    }
    else if (message.type === 'stop') void stop();
  });
  // The runner went away (crash, Ctrl-C): never outlive it.
  process.on('disconnect', () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  process.send?.({ type: 'ready', url: server.url, pid: process.pid });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
