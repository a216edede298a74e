/**
 * `npx tsx bench/tree-cpu.ts`: the 10,000-account `accountTree { id name messageCount balance }` (figure
 * 2's largest tree) in CPU per process rather than latency alone (a shared machine moves latencies
 * by ±50 %, CPU time much less). The four subgraphs and the gateway run as in `npm run bench`
 * (bench/lib/cluster.ts); the query is sent TREE_REQUESTS times (default 10) one after the other,
 * BENCH_ROUNDS rounds (default 3). Prints, per round's median: utime+stime per request of each
 * process (/proc/<pid>/stat), the p50 latency, each process's RSS at rest (after start and login,
 * before the tree) and its peak RSS at the end. The servers have production's V8 heap settings
 * (@platform/config's HEAP_SETTINGS); BENCH_V8_FLAGS replaces them (bench/lib/cluster.ts).
 */
import { DEMO_PASSWORD, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { Pool } from 'pg';
import { createBenchDatabase, serverEnvironment, startServerSet, type ServerProcess } from './lib/cluster';
import { seedTrees } from './platform';
import { runScript } from './lib/result';
import { fmt, median, percentile } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.TREE_REQUESTS ?? 10);
const SIZE = Number(process.env.TREE_SIZE ?? 10_000);
const QUERY = 'query Tree($id: ID!) { accountTree(rootId: $id) { id name messageCount balance } }';

async function main() {
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const { roots } = await seedTrees(sql, [SIZE]);
    const { subgraphs, gateway, login } = await startServerSet(serverEnvironment(database.url, { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', }), started);
    const token = await login(demoUser('hq-admin').email, DEMO_PASSWORD);
    const processes = [gateway, subgraphs['account-hierarchy'], subgraphs.messaging, subgraphs.billing];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const atRest = await Promise.all(processes.map((server) => server.memory()));
    const body = JSON.stringify({ query: QUERY, variables: { id: roots[SIZE] } });
    const send = async () => {
      const startedAt = performance.now();
      const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
      const answer = (await response.json()) as { data?: { accountTree: { balance: number | null }[] }; errors?: unknown[] };
      if (answer.errors || answer.data?.accountTree.length !== SIZE) throw new Error(`unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
      return performance.now() - startedAt;
    };
    for (let i = 0; i < 3; i++) await send();
    const rounds: { cpu: number[]; p50: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const before = processes.map((server) => server.cpuMs());
      const latencies: number[] = [];
      for (let i = 0; i < REQUESTS; i++) latencies.push(await send());
      rounds.push({ cpu: processes.map((server, i) => (server.cpuMs() - before[i]) / REQUESTS), p50: percentile(latencies, 50) });
    }
    console.log(`accountTree { id name messageCount balance } of ${SIZE.toLocaleString('en')} accounts through the gateway (${REQUESTS} sequential requests × ${ROUNDS} rounds, medians)`);
    console.log(`p50 ${fmt(median(rounds.map((r) => r.p50)), 1)} ms (rounds ${rounds.map((r) => fmt(r.p50, 1)).join(', ')})`);
    console.log(`CPU ms per request: ${processes.map((server, i) => `${server.label} ${fmt(median(rounds.map((r) => r.cpu[i])), 1)}`).join(', ')}`);
    console.log(`RSS at rest: ${processes.map((server, i) => `${server.label} ${fmt(atRest[i].rss / 2 ** 20, 0)} MB`).join(', ')}`);
    console.log(`peak RSS: ${processes.map((server) => `${server.label} ${fmt(server.peakRssMb(), 0)} MB`).join(', ')}`);
  } finally {
    await Promise.all(started.map((server) => server.stop().catch(() => undefined)));
    await sql.end();
    await database.drop();
  }
}

runScript(main);
