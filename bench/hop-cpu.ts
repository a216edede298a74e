/**
 * `npx tsx bench/hop-cpu.ts`: the fixed cost of one HTTP hop, in CPU rather than latency (a shared
 * machine moves latencies by ±50 %, CPU time much less). The four subgraphs and the gateway run as
 * in `npm run bench` (bench/lib/cluster.ts); the demo admin's `accountTree { id name }` (the demo
 * tree) is sent HOP_REQUESTS times (default 300) one after the other through the gateway, then as
 * many times straight to the account-hierarchy subgraph (principal signed as the gateway would),
 * alternating for BENCH_ROUNDS rounds (default 3). Prints utime+stime per request of the gateway
 * and of the subgraph for each path (/proc/<pid>/stat), and the p50 latency; medians over rounds.
 */
import { PRINCIPAL_HEADER, type Principal } from '@platform/authz';
import { DEMO_PASSWORD, demoAccount, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { benchPrincipalToken, createBenchDatabase, serverEnvironment, startServerSet, type ServerProcess } from './lib/cluster';
import { runScript } from './lib/result';
import { fmt, median, percentile } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const REQUESTS = Number(process.env.HOP_REQUESTS ?? 300);
const QUERY = '{ accountTree { id name } }';

async function main() {
  const database = await createBenchDatabase();
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const { subgraphs, gateway, login } = await startServerSet(serverEnvironment(database.url, { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' }), started);
    const token = await login(demoUser('hq-admin').email, DEMO_PASSWORD);
    const principal: Principal = { kind: 'USER', id: demoUser('hq-admin').id, actingAccountId: demoAccount('hq').id, sessionId: null };
    const hierarchy = subgraphs['account-hierarchy'];
    const body = JSON.stringify({ query: QUERY });
    const send = async (direct: boolean) => {
      const startedAt = performance.now();
      const response = await fetch(direct ? hierarchy.url : gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(direct ? { [PRINCIPAL_HEADER]: benchPrincipalToken(principal, 'account-hierarchy') } : { authorization: `Bearer ${token}` }) },
        body,
      });
      const answer = (await response.json()) as { data?: { accountTree: unknown[] }; errors?: unknown[] };
      if (answer.errors || !answer.data?.accountTree.length) throw new Error(`unexpected answer ${JSON.stringify(answer).slice(0, 200)}`);
      return performance.now() - startedAt;
    };
    const run = async (direct: boolean) => {
      const before = [gateway.cpuMs(), hierarchy.cpuMs()];
      const latencies: number[] = [];
      for (let i = 0; i < REQUESTS; i++) latencies.push(await send(direct));
      return { gateway: (gateway.cpuMs() - before[0]) / REQUESTS, subgraph: (hierarchy.cpuMs() - before[1]) / REQUESTS, p50: percentile(latencies, 50) };
    };
    for (let i = 0; i < 100; i++) await Promise.all([send(false), send(true)]);
    const through: Awaited<ReturnType<typeof run>>[] = [];
    const direct: Awaited<ReturnType<typeof run>>[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        through.push(await run(false));
        direct.push(await run(true));
      } else {
        direct.push(await run(true));
        through.push(await run(false));
      }
    }
    const m = (runs: typeof through, key: 'gateway' | 'subgraph' | 'p50') => fmt(median(runs.map((r) => r[key])), 2);
    console.log(`accountTree { id name } (${REQUESTS} sequential requests × ${ROUNDS} rounds, medians): CPU ms per request`);
    console.log(`through the gateway: gateway ${m(through, 'gateway')}, account-hierarchy ${m(through, 'subgraph')}; p50 ${m(through, 'p50')} ms`);
    console.log(`direct:              account-hierarchy ${m(direct, 'subgraph')}; p50 ${m(direct, 'p50')} ms`);
  } finally {
    await Promise.all(started.map((server) => server.stop().catch(() => undefined)));
    await database.drop();
  }
}

runScript(main);
