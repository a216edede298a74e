/**
 * `npx tsx bench/allocation.ts`: what the account-hierarchy allocates and promotes per request under
 * figure 1's load (the 100-account `accountTree { id name depth status }` called directly, principal
 * token per request, ALLOC_CONNECTIONS connections, default 10, for ALLOC_SECONDS, default 10).
 * ALLOC_PROCESS=gateway measures the gateway instead, on figure 1's query through it (bearer session),
 * and with ALLOC_SNAPSHOT=<prefix> writes a heap snapshot of it at rest before the load and after it
 * (<prefix>-at-rest.heapsnapshot, -after-load: what it retains, summarised by retained size; a snapshot
 * raises the RSS by itself, so the peak RSS then reads high). The measured process runs as in `npm run bench` (bench/lib/cluster.ts) with `--trace-gc-nvp` (V8's line per
 * collection: bytes promoted by each scavenge) and V8's sampling heap profiler over the load, counting
 * freed objects too (bench/lib/serve.ts). Prints requests served, scavenges and mark-compacts,
 * MB allocated and promoted per 1,000 requests, peak RSS, and the allocation by package and function.
 * ALLOC_SURVIVORS=1 samples only the objects no scavenge freed (what is promoted). ALLOC_NODE_OPTIONS:
 * V8 flags of the subgraph (`--no-turbo-inlining` attributes allocations to the inlined callee rather
 * than the optimized caller). ALLOC_PROFILE=<file> keeps the heap profile. The subgraph has its role's
 * heap settings (@platform/config); `BENCH_V8_FLAGS=` gives V8's defaults, as bench/README.md's figures
 * (BENCH_V8_FLAGS_GATEWAY for the gateway).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { authenticateBearer, PRINCIPAL_HEADER } from '@platform/authz';
import { DEMO_PASSWORD, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { benchPrincipalToken, createBenchDatabase, LOG_DIR, serverEnvironment, ServerProcess, startServerSet } from './lib/cluster';
import { load, verifyTarget, type Target } from './lib/load';
import { summariseHeapProfile, summariseHeapSnapshot } from './lib/profile';
import { runScript } from './lib/result';
import { fmt } from './lib/stats';
import { seedTrees } from './platform';

const CONNECTIONS = Number(process.env.ALLOC_CONNECTIONS ?? 10);
const SECONDS = Number(process.env.ALLOC_SECONDS ?? 10);
const SURVIVORS = process.env.ALLOC_SURVIVORS === '1';
const GATEWAY = process.env.ALLOC_PROCESS === 'gateway';
const QUERY = 'query Tree($id: ID!) { accountTree(rootId: $id) { id name depth status } }';

/** Sums of `--trace-gc-nvp`'s lines in a log: collections by kind, bytes promoted by scavenges. */
function gcTotals(log: string): { scavenges: number; markCompacts: number; promotedBytes: number } {
  let scavenges = 0;
  let markCompacts = 0;
  let promotedBytes = 0;
  for (const line of log.split('\n')) {
    const kind = /\bgc=(\w+)/.exec(line)?.[1];
    if (kind === 's') {
      scavenges += 1;
      promotedBytes += Number(/\bpromoted=(\d+)/.exec(line)?.[1] ?? 0);
    } else if (kind === 'mc' || kind === 'ms') markCompacts += 1;
  }
  return { scavenges, markCompacts, promotedBytes };
}

async function main() {
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const started: ServerProcess[] = [];
  const profileFile = process.env.ALLOC_PROFILE ?? path.join(os.tmpdir(), `hierarchy-${process.pid}.heapprofile`);
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const { roots } = await seedTrees(sql, [100]);
    const base = serverEnvironment(database.url, { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' });
    // The set's gateway gives the session to sign principal tokens for; the measured process is a hierarchy of its own.
    const { login, subgraphs } = await startServerSet(base, started);
    const token = await login(demoUser('hq-admin').email, DEMO_PASSWORD);
    const principal = await authenticateBearer({ query: async (text, values) => (await sql.query(text, values)).rows }, token);
    if (!principal) throw new Error('the bench session does not authenticate');
    const flags = (process.env.ALLOC_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
    const label = GATEWAY ? 'gateway-measured' : 'hierarchy-measured';
    const urls = { HIERARCHY_URL: subgraphs['account-hierarchy'].url, IDENTITY_URL: subgraphs.identity.url, MESSAGING_URL: subgraphs.messaging.url, BILLING_URL: subgraphs.billing.url };
    const measured = await ServerProcess.start(label, GATEWAY ? ['gateway'] : ['subgraph', 'account-hierarchy'], GATEWAY ? { ...base, ...urls } : base, ['--trace-gc-nvp', ...flags]);
    started.push(measured);
    const target: Target = GATEWAY
      ? { name: 'gateway', url: measured.url, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query: QUERY, variables: { id: roots[100] } }) }
      : {
          name: 'account-hierarchy',
          url: measured.url,
          headers: { 'content-type': 'application/json' },
          headersPerRequest: () => ({ [PRINCIPAL_HEADER]: benchPrincipalToken(principal, 'account-hierarchy') }),
          body: JSON.stringify({ query: QUERY, variables: { id: roots[100] } }),
        };
    await verifyTarget(target);
    const snapshot = async (when: string) => {
      const file = `${process.env.ALLOC_SNAPSHOT}-${when}.heapsnapshot`;
      const retainedMb = (await measured.heapSnapshot(file)) / 2 ** 20;
      console.log(`\nheap snapshot ${when}: ${fmt(retainedMb, 1)} MB in use after a full collection, RSS ${fmt((await measured.memory()).rss / 2 ** 20, 0)} MB`);
      console.log(summariseHeapSnapshot(file));
    };
    if (GATEWAY && process.env.ALLOC_SNAPSHOT) {
      // At rest: after a few requests, so the operation's plan and caches are in place as under load.
      await load(target, { connections: 1, maxRequests: 20 });
      await snapshot('at-rest');
    }
    const before = gcTotals(fs.readFileSync(path.join(LOG_DIR, `${label}.log`), 'utf8'));
    await measured.startAllocationSampling({ survivors: SURVIVORS });
    const run = await load(target, { connections: CONNECTIONS, seconds: SECONDS });
    await measured.stopAllocationSampling(profileFile);
    const after = gcTotals(fs.readFileSync(path.join(LOG_DIR, `${label}.log`), 'utf8'));
    const peakRss = measured.peakRssMb();
    const { peakHeapUsed } = await measured.memory();
    if (GATEWAY && process.env.ALLOC_SNAPSHOT) await snapshot('after-load');
    await measured.stop();
    const perThousand = (bytes: number) => fmt((bytes / 2 ** 20 / run.requests) * 1000, 1);
    const summary = summariseHeapProfile(profileFile, 25);
    console.log(`\n${target.name} under ${CONNECTIONS} connections of the 100-account tree, ${SECONDS} s, flags [${flags.join(' ')}]`);
    console.log(`requests ${run.requests} (${fmt(run.rps, 0)}/s, p50 ${fmt(run.p50)} ms, errors ${run.errors}); scavenges ${after.scavenges - before.scavenges}, mark-compacts ${after.markCompacts - before.markCompacts}`);
    console.log(`per 1,000 requests: ${SURVIVORS ? 'surviving scavenges' : 'allocated'} ${perThousand(summary.totalBytes)} MB (sampled), promoted by scavenges ${perThousand(after.promotedBytes - before.promotedBytes)} MB`);
    console.log(`peak RSS ${fmt(peakRss, 0)} MB, peak heap used ${fmt(peakHeapUsed / 2 ** 20, 0)} MB`);
    console.log(summary.text);
  } finally {
    await Promise.all(started.map((server) => server.stop().catch(() => undefined)));
    await sql.end();
    await database.drop();
    if (!process.env.ALLOC_PROFILE) fs.rmSync(profileFile, { force: true });
  }
}

runScript(main);
