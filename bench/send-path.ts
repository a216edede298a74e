/**
 * Figure 4: the send path (SPEC M1-M3), `tsx bench/send-path.ts` on its own or through `npm run bench`.
 *
 * The four subgraphs and the gateway run as their own processes (bench/lib/cluster.ts, production
 * mode, LOG_LEVEL=info, the messaging subgraph's delivery job off) on a throwaway database with the
 * demo data. Store S2 sends as an advanced user of the store with every check on: a sending window
 * (open all week), daily and monthly SMS limits on the account and its region, an account credit
 * limit, the sender's user credit limit (set by the head-office admin), the paying balance, opt-outs.
 *   a. bulk acceptance: sendBulk to a group of 10,000 contacts through the gateway (request to answer);
 *   b. loopback drain: the queued messages delivered by a DeliveryWorker (the code of
 *      scripts/run-messaging-worker.ts) in this process, batches of MESSAGING_WORKER_BATCH_SIZE;
 *   c. 200 concurrent sendMessage requests through the gateway, p95 of their latencies;
 *   d. one send alone: CPU time of each process (the gateway, the four subgraphs and the PostgreSQL
 *      backends of the bench database, from /proc/<pid>/stat) and SQL statements of each process
 *      (their counting loggers), per send, over SINGLE_SENDS sequential sends after a warm-up; then
 *      the settlement of those sends' credit (a send's capture is the delivery worker's: settleDueBatches
 *      of a DeliveryWorker in this process), in rounds of SETTLE_ROUND batches (what a 100 ms worker round
 *      takes from one client sending one message after another), its CPU (this process counted as the
 *      worker) and statements added to the send's;
 *   e. accepted sends per second with 100 and 200 clients sending in a closed loop (each sends again
 *      as soon as it is answered) into one store vs into 100 stores of 100 separate trees built the same
 *      way (every check on in each), alternating rounds (order flipped every round); PostgreSQL's
 *      backends of the bench database sampled every 10 ms from pg_stat_activity (wait events).
 * While a, c and e run, this process settles due credit as the worker would (every 100 ms), so the
 * captures compete with the sends as they do in production.
 * Each is measured BENCH_ROUNDS times (default 3); the figure is the median, the spread is in the notes.
 */
import crypto from 'node:crypto';
import { Pool } from 'pg';
import { loadConfig } from '@platform/config';
import { QueryCounter } from '@platform/db';
import { DEMO_PASSWORD, demoAccount, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { insertAccountTree, type GeneratedTree } from '@platform/account-hierarchy';
import { createDeliveryWorker, service as messaging } from '@platform/messaging';
import { BENCH_KEY_ENVIRONMENT, createBenchDatabase, serverEnvironment, startServerSet, type ServerProcess } from './lib/cluster';
import { type BenchResult, printStandalone } from './lib/result';
import fs from 'node:fs';
import { fmt, median, percentile, spread } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GROUP_SIZE = 10_000;
const CONCURRENT = 200;
const BATCH_SIZE = 1000;
const log = (line: string) => process.stderr.write(`[bench] send-path: ${line}\n`);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const SINGLE_SENDS = Number(process.env.SEND_PATH_SINGLE_SENDS ?? 200);
/** `single`: only the one-send-alone phase (d), no bulk, no 100 trees, no throughput: for profiles (BENCH_PROFILE) and pg_stat_statements. */
const ONLY_SINGLE = process.env.SEND_PATH_ONLY === 'single';
const SETTLE_ROUND = 5;
const CLIENTS = [100, 200];
const TREES = 100;
const OPEN_ALL_WEEK = { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], start: '00:00', end: '23:59' };
const settings = `mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`;
const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

type Gql = (query: string, variables: Record<string, unknown>, token?: string) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Every check of a send on, none binding during the run: daily and monthly SMS limits on the region
 * and the store, an account credit limit on the store, the sender's user credit limit (an advanced
 * user of the store, set by the head-office admin: nobody sets their own, SPEC I6), the store's own
 * balance funded from its root.
 */
async function everyCheckOn(gql: Gql, token: string, tree: { root: string; region: string; store: string; units: number }): Promise<void> {
  const limits = { daily: 10_000_000, monthly: 100_000_000 };
  await gql(settings, { id: tree.region, input: { smsLimits: limits } }, token);
  await gql(settings, { id: tree.store, input: { smsLimits: limits } }, token);
  await gql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 5000000) { id } }`, { a: tree.store }, token);
  await gql(`mutation($a: ID!, $e: String!) { addAccountMember(accountId: $a, email: $e, role: ADVANCED_USER) { membership { id } } }`, { a: tree.store, e: demoUser('accountant').email }, token);
  await gql(`mutation($a: ID!, $u: ID!) { setUserCreditLimit(accountId: $a, userId: $u, limit: 5000000) { limit } }`, { a: tree.store, u: demoUser('accountant').id }, token);
  await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: tree.store }, token);
  await gql(`mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`, { i: { fromAccountId: tree.root, toAccountId: tree.store, units: tree.units, idempotencyKey: crypto.randomUUID() } }, token);
}

/** TREES trees root → region → store (insertAccountTree), the demo admin an admin of each root, each root with a prepaid balance; answers the stores. */
async function separateTrees(sql: Pool, gql: Gql, token: string): Promise<string[]> {
  const trees: GeneratedTree[] = [];
  for (let i = 0; i < TREES; i++) {
    const tree = await insertAccountTree(sql, { size: 3, fanout: 1, name: `Bench sender ${i}` });
    await sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, tree.rootId]);
    await sql.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, 1000000)`, [tree.rootId]);
    trees.push(tree);
  }
  for (let from = 0; from < trees.length; from += 10) {
    await Promise.all(
      trees.slice(from, from + 10).map(async (tree) => {
        await gql(settings, { id: tree.rootId, input: { sendingWindow: OPEN_ALL_WEEK } }, token);
        await everyCheckOn(gql, token, { root: tree.rootId, region: tree.accountIds[1], store: tree.accountIds[2], units: 100_000 });
      }),
    );
  }
  await sql.query('ANALYZE');
  return trees.map((tree) => tree.accountIds[2]);
}

/** utime + stime of a process in ms (0 when it is gone). */
function cpuMs(pid: number): number {
  const { user, system } = cpuSplitMs(pid);
  return user + system;
}

/** utime and stime of a process in ms (0 when it is gone). */
function cpuSplitMs(pid: number): { user: number; system: number } {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS, system: (Number(fields[12]) * 1000) / CLOCK_TICKS };
  } catch {
    return { user: 0, system: 0 };
  }
}
const CLOCK_TICKS = 100;

async function backendPids(sql: Pool, database: string): Promise<number[]> {
  const { rows } = await sql.query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend'`, [database]);
  return rows.map((r) => r.pid as number);
}

/** This process's CPU time in ms (utime + stime). */
const ownCpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

/** The delivery worker's credit settlement, run in this process: its CPU is counted as the worker's. */
interface Settler {
  settle(limit?: number): Promise<number>;
  statements: QueryCounter;
}

/** Most settlement rounds a drain may take: a batch whose capture keeps failing (billing down) ends the bench instead of spinning. */
const MAX_SETTLE_ROUNDS = 2_000;

/** Settles in rounds of `limit` until a round finds nothing due; the batches settled. */
async function settleAll(settler: Settler, limit?: number): Promise<number> {
  let settled = 0;
  for (let rounds = 0; rounds < MAX_SETTLE_ROUNDS; rounds++) {
    const round = await settler.settle(limit);
    if (round === 0) return settled;
    settled += round;
  }
  throw new Error(`credit settlement still found due batches after ${MAX_SETTLE_ROUNDS} rounds (${settled} settled): is billing answering?`);
}

/**
 * CPU (ms) and SQL statements of each process per send: SINGLE_SENDS sequential sends, then the
 * settlement of their credit in rounds of SETTLE_ROUND batches (the worker's part of each send).
 */
async function singleSendCost(sql: Pool, database: string, servers: ServerProcess[], settler: Settler, send: () => Promise<number>) {
  const statementStats = await statementStatsReset(sql);
  for (const server of servers) server.resetStatements();
  settler.statements.reset();
  const pgBefore = new Map((await backendPids(sql, database)).map((pid) => [pid, cpuMs(pid)]));
  const before = servers.map((server) => cpuMs(server.pid));
  const systemBefore = servers.map((server) => cpuSplitMs(server.pid).system);
  const latencies: number[] = [];
  for (let i = 0; i < SINGLE_SENDS; i++) latencies.push(await send());
  const afterSends = servers.map((server) => cpuMs(server.pid));
  const workerBefore = ownCpuMs();
  const settled = await settleAll(settler, SETTLE_ROUND);
  const worker = ownCpuMs() - workerBefore;
  if (settled !== SINGLE_SENDS) throw new Error(`settled ${settled} batches, expected ${SINGLE_SENDS}`);
  const after = servers.map((server) => cpuMs(server.pid));
  const system = servers.map((server, i): [string, number] => [server.label, (cpuSplitMs(server.pid).system - systemBefore[i]) / SINGLE_SENDS]).filter(([, ms]) => ms > 0);
  let pg = 0;
  for (const pid of await backendPids(sql, database)) pg += cpuMs(pid) - (pgBefore.get(pid) ?? 0);
  const counts = await Promise.all(servers.map((server) => server.statementCount()));
  if (statementStats) await printStatementStats(sql);
  const perSend = (ms: number) => ms / SINGLE_SENDS;
  const cpu: [string, number][] = [
    ...servers.map((server, i): [string, number] => [server.label, perSend(after[i] - before[i])]),
    ['worker', perSend(worker)],
    ['PostgreSQL', perSend(pg)],
  ];
  const settlement: [string, number][] = servers.map((server, i): [string, number] => [server.label, perSend(after[i] - afterSends[i])]).filter(([, ms]) => ms > 0);
  const statements: [string, number][] = [...servers.map((server, i): [string, number] => [server.label, counts[i] / SINGLE_SENDS]), ['worker', settler.statements.count / SINGLE_SENDS]];
  return { cpu, cpuTotal: sum(cpu.map(([, ms]) => ms)), settlement: [...settlement, ['worker', perSend(worker)]] as [string, number][], statements, statementTotal: sum(statements.map(([, n]) => n)), system, p50: median(latencies) };
}

/**
 * When the server preloads pg_stat_statements (not this machine's shared server; a private cluster
 * started with `shared_preload_libraries=pg_stat_statements` for a profile), the statements of the
 * single sends are reset before and printed after: where PostgreSQL's part of a send goes.
 */
async function statementStatsReset(sql: Pool): Promise<boolean> {
  try {
    await sql.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await sql.query('SELECT pg_stat_statements_reset()');
    return true;
  } catch {
    return false;
  }
}

async function printStatementStats(sql: Pool): Promise<void> {
  const { rows } = await sql.query(
    `SELECT calls, round((total_plan_time + total_exec_time)::numeric / $1, 3) AS ms_per_send, round(total_plan_time::numeric / $1, 3) AS plan_ms_per_send,
            round((wal_bytes / $1)::numeric, 0) AS wal_bytes_per_send, left(regexp_replace(query, '\\s+', ' ', 'g'), 110) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
      ORDER BY total_plan_time + total_exec_time DESC LIMIT 25`,
    [SINGLE_SENDS],
  );
  log(`pg_stat_statements over ${SINGLE_SENDS} sends and their settlement (plan + execution ms per send):`);
  for (const row of rows) log(`  ${row.ms_per_send} ms (plan ${row.plan_ms_per_send}), ${row.calls} calls, WAL ${row.wal_bytes_per_send} B/send: ${row.query}`);
}

/** Settles due credit every 100 ms, as the delivery worker's loop does, until stopped. */
function settleInBackground(settler: Settler): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      await settler.settle().catch((error: unknown) => log(`settlement failed: ${String(error)}`));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      await settleAll(settler);
    },
  };
}

interface Rate {
  perSecond: number;
  failed: number;
  /** backend samples by wait event ("CPU" when running) */
  waits: Map<string, number>;
}

/** `clients` clients each sending as soon as answered for `seconds`; PostgreSQL's active backends sampled every 10 ms meanwhile. */
async function closedLoop(sql: Pool, database: string, clients: number, seconds: number, sendOne: (client: number) => Promise<unknown>): Promise<Rate> {
  const waits = new Map<string, number>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await sql.query(
        `SELECT application_name || ' ' || coalesce(wait_event_type || ':' || wait_event, 'CPU') AS event FROM pg_stat_activity
          WHERE datname = $1 AND state = 'active' AND pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        [database],
      );
      for (const { event } of rows) waits.set(event, (waits.get(event) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  let accepted = 0;
  let failed = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (performance.now() < deadline) {
        try {
          await sendOne(client);
          accepted += 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  sampling = false;
  await sampler;
  return { perSecond: accepted / elapsed, failed, waits };
}

/** "Lock waits x % of n samples (top events by process)" over the rounds. */
function describeWaits(rates: Rate[]): string {
  const all = new Map<string, number>();
  for (const rate of rates) for (const [event, n] of rate.waits) all.set(event, (all.get(event) ?? 0) + n);
  const total = sum([...all.values()]);
  const locks = sum([...all].filter(([event]) => event.includes(' Lock:')).map(([, n]) => n));
  const top = [...all].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([event, n]) => `${event} ${n}`).join(', ');
  return `lock waits ${fmt((100 * locks) / Math.max(total, 1), 0)} % of ${total} backend samples (${top})`;
}

type SingleSendCost = Awaited<ReturnType<typeof singleSendCost>>;

/** The CPU and statement figures of one send alone (phase d). */
function singleSendFigures(single: SingleSendCost): BenchResult[] {
  return [
    {
      figure: 'Send path: CPU per single send, summed over the processes',
      goal: '≤ 10 ms',
      value: `${fmt(single.cpuTotal, 1)} ms`,
      met: single.cpuTotal <= 10,
      notes: `${single.cpu.map(([p, ms]) => `${p} ${fmt(ms, 1)}`).join(', ')} ms (utime+stime of each process over ${SINGLE_SENDS} sequential sendMessage through the gateway and the settlement of their credit by the delivery worker in rounds of ${SETTLE_ROUND}; PostgreSQL = the backends of the bench database); of which settlement ${single.settlement.map(([p, ms]) => `${p} ${fmt(ms, 2)}`).join(', ')} ms; p50 ${fmt(single.p50, 1)} ms per send`,
    },
    {
      figure: 'Send path: SQL statements per single send',
      goal: '≤ 15',
      value: fmt(single.statementTotal, 1),
      met: single.statementTotal <= 15,
      notes: `${single.statements.map(([p, n]) => `${p} ${fmt(n, 1)}`).join(', ')} (every statement of each process's data source, BEGIN/COMMIT included, over ${SINGLE_SENDS} sends and their settlement in rounds of ${SETTLE_ROUND})`,
    },
  ];
}

export async function runBenchmark(): Promise<BenchResult[]> {
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const databaseName = new URL(database.url).pathname.slice(1);
  const started: ServerProcess[] = [];
  let workerDataSource: ReturnType<typeof messaging.createDataSource> | undefined;
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const base = serverEnvironment(database.url, { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' });
    const { subgraphs, gateway, gql, login } = await startServerSet(base, started);
    const token = await login(demoUser('hq-admin').email, DEMO_PASSWORD);
    const config = { ...loadConfig({ NODE_ENV: 'production', DATABASE_URL: database.url, INTERNAL_SIGNING_SECRET: 'x'.repeat(32), WEBHOOK_ENCRYPTION_KEY: 'y'.repeat(32), ...BENCH_KEY_ENVIRONMENT, MESSAGING_WORKER_BATCH_SIZE: String(BATCH_SIZE), BILLING_URL: subgraphs.billing.url, LOG_LEVEL: 'warn' }) };
    const workerStatements = new QueryCounter();
    workerDataSource = messaging.createDataSource(database.url, { poolSize: 4, queryCounter: workerStatements });
    await workerDataSource.initialize();
    const worker = createDeliveryWorker(workerDataSource, config);
    const settler: Settler = { settle: (limit) => worker.settleDueBatches(limit), statements: workerStatements };

    // Every check on, none binding during the run.
    const store = demoAccount('store-s2').id;
    await gql(settings, { id: demoAccount('hq').id, input: { sendingWindow: OPEN_ALL_WEEK } }, token);
    await everyCheckOn(gql, token, { root: demoAccount('hq').id, region: demoAccount('south').id, store, units: 90_000 });
    const sender = await login(demoUser('accountant').email, DEMO_PASSWORD);
    const send = async (i: number, round: number) => {
      const t0 = performance.now();
      const data = await gql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted } }`, { input: { accountId: store, to: `+447401${String(round * 1000 + i).padStart(6, '0')}`, body: `Bench single ${i}` } }, sender);
      if (data.sendMessage.accepted !== 1) throw new Error('a single send was not accepted');
      return performance.now() - t0;
    };
    const oneSendAlone = async () => {
      const servers = Object.values(subgraphs).concat(gateway);
      for (let i = 0; i < 20; i++) await send(i, 98); // warm-up
      await settleAll(settler);
      const single = await singleSendCost(sql, databaseName, servers, settler, () => send(0, 97));
      log(`single send: CPU ${single.cpu.map(([p, ms]) => `${p} ${fmt(ms, 1)}`).join(', ')} ms (of which settlement ${single.settlement.map(([p, ms]) => `${p} ${fmt(ms, 2)}`).join(', ')}; system time ${single.system.map(([p, ms]) => `${p} ${fmt(ms, 2)}`).join(', ')}); sum ${fmt(single.cpuTotal, 1)} ms; SQL ${single.statements.map(([p, n]) => `${p} ${fmt(n, 1)}`).join(', ')}; p50 ${fmt(single.p50, 1)} ms`);
      return single;
    };
    if (ONLY_SINGLE) return singleSendFigures(await oneSendAlone());
    // 100 more trees built the same way (root → region → store), for the one-tree vs many-trees figure.
    const stores = await separateTrees(sql, gql, token);

    // a. bulk acceptance of a 10,000-contact group
    const group = (await gql(`mutation($a: ID!) { createContactGroup(accountId: $a, name: "Bench 10k") { id } }`, { a: store }, token)).createContactGroup.id as string;
    // In files of 2,500 rows: a request body is at most GATEWAY_MAX_BODY_BYTES (100 kB).
    let imported = 0;
    for (let from = 0; from < GROUP_SIZE; from += 2500) {
      const csv = ['phone,first_name', ...Array.from({ length: 2500 }, (_, i) => `+447400${String(from + i).padStart(6, '0')},C${from + i}`)].join('\n');
      imported += (await gql(`mutation($a: ID!, $csv: String!, $g: ID) { importContacts(accountId: $a, csv: $csv, groupId: $g) { imported } }`, { a: store, csv, g: group }, token)).importContacts.imported;
    }
    if (imported !== GROUP_SIZE) throw new Error(`imported ${imported} contacts, expected ${GROUP_SIZE}`);
    await sql.query('ANALYZE');
    const bulkMs: number[] = [];
    const bulkSettlement = settleInBackground(settler);
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const sent = await gql(`mutation($input: SendBulkInput!) { sendBulk(input: $input) { accepted } }`, { input: { accountId: store, groupIds: [group], body: `Bench bulk ${round}` } }, sender);
      bulkMs.push(performance.now() - t0);
      if (sent.sendBulk.accepted !== GROUP_SIZE) throw new Error(`bulk accepted ${sent.sendBulk.accepted}`);
    }
    await bulkSettlement.stop();
    log(`bulk acceptance ${bulkMs.map((v) => fmt(v, 0)).join(', ')} ms`);

    // b. loopback drain of the queued bulk messages (their credit captured above), one batch series per round
    const rates: number[] = [];
    await worker.deliverBatch(); // warm-up (one batch)
    for (let round = 0; round < ROUNDS; round++) {
      const { rows } = await sql.query(`SELECT count(*)::int AS n FROM messaging.messages WHERE status = 'QUEUED'`);
      const target = Math.min(rows[0].n, GROUP_SIZE);
      let delivered = 0;
      const t0 = performance.now();
      while (delivered < target) {
        const n = await worker.deliverBatch();
        if (n === 0) break;
        delivered += n;
      }
      rates.push(delivered / ((performance.now() - t0) / 1000));
    }
    log(`drain ${rates.map((v) => fmt(v, 0)).join(', ')} msg/s`);

    // c. 200 concurrent single sends
    const concurrentSettlement = settleInBackground(settler);
    await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i, 99))); // warm-up
    const p95s: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const latencies = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i, round)));
      p95s.push(percentile(latencies, 95));
    }
    await concurrentSettlement.stop();
    log(`concurrent p95 ${p95s.map((v) => fmt(v, 1)).join(', ')} ms`);

    // d. one send alone: CPU and statements per process
    const single = await oneSendAlone();

    // e. accepted sends/s, one tree vs 100 trees, alternating rounds
    const throughput: Record<number, { oneTree: Rate[]; manyTrees: Rate[] }> = {};
    const throughputSettlement = settleInBackground(settler);
    for (const clients of CLIENTS) {
      throughput[clients] = { oneTree: [], manyTrees: [] };
      const sendTo = (account: string) => gql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted } }`, { input: { accountId: account, to: `+4474${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`, body: 'Bench rate' } }, sender);
      await closedLoop(sql, databaseName, clients, 1, (i) => sendTo(i % 2 ? store : stores[i % stores.length])); // warm-up
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? (['oneTree', 'manyTrees'] as const) : (['manyTrees', 'oneTree'] as const);
        for (const which of order) {
          throughput[clients][which].push(await closedLoop(sql, databaseName, clients, SECONDS, (i) => sendTo(which === 'oneTree' ? store : stores[i % stores.length])));
        }
      }
      const { oneTree, manyTrees } = throughput[clients];
      log(`${clients} clients: one tree ${oneTree.map((r) => fmt(r.perSecond, 0)).join(', ')} /s; 100 trees ${manyTrees.map((r) => fmt(r.perSecond, 0)).join(', ')} /s`);
    }
    await throughputSettlement.stop();

    const bulk = median(bulkMs);
    const rate = median(rates);
    const p95 = median(p95s);
    const notes = `${ROUNDS} rounds, ${database.where}; every check on (window, daily/monthly limits on account and region, account and user credit limits, own balance)`;
    return [
      { figure: 'Send path: bulk acceptance of 10,000 recipients', goal: '≤ 1 s', value: `${fmt(bulk / 1000, 2)} s`, met: bulk <= 1000, notes: `sendBulk to a 10,000-contact group through the gateway; rounds ${spread(bulkMs.map((v) => v / 1000))} s; ${notes}` },
      { figure: 'Send path: loopback drain rate', goal: '≥ 2,000 msg/s', value: `${fmt(rate, 0)} msg/s`, met: rate >= 2000, notes: `DeliveryWorker.deliverBatch, batches of ${BATCH_SIZE}; rounds ${spread(rates, 0)} msg/s` },
      { figure: 'Send path: 200 concurrent single sends, p95', goal: '≤ 50 ms', value: `${fmt(p95, 1)} ms`, met: p95 <= 50, notes: `${CONCURRENT} sendMessage requests at once through the gateway; rounds ${spread(p95s, 1)} ms; ${notes}` },
      ...singleSendFigures(single),
      ...CLIENTS.map((clients) => {
        const { oneTree, manyTrees } = throughput[clients];
        const ratios = oneTree.map((r, i) => r.perSecond / manyTrees[i].perSecond);
        const ratio = median(ratios);
        return {
          figure: `Send path: accepted sends/s at ${clients} concurrent, one tree / 100 trees`,
          goal: '≥ 0.8',
          value: `${fmt(ratio, 2)} (${fmt(median(oneTree.map((r) => r.perSecond)), 0)} / ${fmt(median(manyTrees.map((r) => r.perSecond)), 0)} per s)`,
          met: ratio >= 0.8,
          notes: `${clients} clients in a closed loop of sendMessage through the gateway for ${SECONDS} s per round, ${ROUNDS} alternating rounds, ratios ${spread(ratios)}; refused: ${sum(oneTree.map((r) => r.failed))} / ${sum(manyTrees.map((r) => r.failed))}; PostgreSQL backends sampled every 10 ms: one tree ${describeWaits(oneTree)}; 100 trees ${describeWaits(manyTrees)}`,
        };
      }),
    ];
  } finally {
    await workerDataSource?.destroy();
    await Promise.all(started.map((server) => server.stop().catch(() => {})));
    await sql.end();
    await database.drop();
  }
}

if (require.main === module) printStandalone(runBenchmark);
