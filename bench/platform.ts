/**
 * Figures 1-3: gateway overhead, the cross-subgraph tree query, the cost of authorization.
 *
 * Every server runs in its own process (bench/lib/serve.ts, the same code as the production
 * entries) in production mode with production defaults (LOG_LEVEL=info); the load generator
 * (autocannon) runs in this process. Two process sets share one throwaway database:
 *   rules on : the four subgraphs, `gateway` (LOG_LEVEL=info) and `gateway-warn` (LOG_LEVEL=warn)
 *   rules off: account-hierarchy, messaging and billing built with every field allowed, and their
 *              `gateway-rules-off` (identity is shared: the measured query does not reach it)
 * A figure alternates its subject and its baseline run by run and takes medians.
 */
import { execSync } from 'node:child_process';
import { Pool } from 'pg';
import { authenticateBearer, PRINCIPAL_HEADER, type Principal } from '@platform/authz';
import { SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';
import { DEMO_PASSWORD, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { insertAccountTree } from '@platform/account-hierarchy';
import { benchPrincipalToken, createBenchDatabase, serverEnvironment, ServerProcess, type BenchDatabase } from './lib/cluster';
import { load, verifyTarget, type LoadRun, type Target } from './lib/load';
import type { BenchResult } from './lib/result';
import { fmt, median, spread } from './lib/stats';

export const TREE_SIZES = [10, 100, 1_000, 10_000] as const;
const URL_VARIABLES: Record<SubgraphName, string> = {
  'account-hierarchy': 'HIERARCHY_URL',
  identity: 'IDENTITY_URL',
  messaging: 'MESSAGING_URL',
  billing: 'BILLING_URL',
};

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

export interface BenchPlatform {
  database: BenchDatabase;
  sql: Pool;
  roots: Record<number, string>;
  token: string;
  /** the demo admin's principal, for direct subgraph calls signed as the gateway would (benchPrincipalToken) */
  principal: Principal;
  subgraphs: Record<SubgraphName, ServerProcess>;
  gateway: ServerProcess;
  gatewayWarn: ServerProcess;
  rulesOff: { subgraphs: ServerProcess[]; gateway: ServerProcess };
  all(): ServerProcess[];
  close(): Promise<void>;
}

async function seedTrees(sql: Pool): Promise<Record<number, string>> {
  const roots: Record<number, string> = {};
  const admin = demoUser('hq-admin').id;
  for (const size of TREE_SIZES) {
    const tree = await insertAccountTree(sql, { size, fanout: 10, name: `Bench tree ${size}` });
    roots[size] = tree.rootId;
    await sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [admin, tree.rootId]);
    await sql.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, 1000000)`, [tree.rootId]);
    // A message for every third account, so messageCount reads real rows.
    await sql.query(
      `INSERT INTO messaging.messages (account_id, recipient, body) SELECT id, '+447700900000', 'hi' FROM unnest($1::uuid[]) AS id`,
      [tree.accountIds.filter((_, i) => i % 3 === 0)],
    );
  }
  await sql.query('ANALYZE');
  return roots;
}

export async function startBenchPlatform(): Promise<BenchPlatform> {
  const startedAt = Date.now();
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const roots = await seedTrees(sql);
    log(`database ready (${database.where}) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    const base = serverEnvironment(database.url);
    const track = async (promise: Promise<ServerProcess>) => {
      const server = await promise;
      started.push(server);
      return server;
    };
    const onList = await Promise.all(SUBGRAPH_NAMES.map((name) => track(ServerProcess.start(name, ['subgraph', name], base))));
    const subgraphs = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, onList[i]])) as Record<SubgraphName, ServerProcess>;
    const offNames = SUBGRAPH_NAMES.filter((name) => name !== 'identity');
    const offList = await Promise.all(offNames.map((name) => track(ServerProcess.start(`${name}-rules-off`, ['subgraph', name, '--rules=off'], base))));
    const urlsOn = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [URL_VARIABLES[name], subgraphs[name].url]));
    const urlsOff = { ...urlsOn, ...Object.fromEntries(offNames.map((name, i) => [URL_VARIABLES[name], offList[i].url])) };
    const [gateway, gatewayWarn, gatewayOff] = await Promise.all([
      track(ServerProcess.start('gateway', ['gateway'], { ...base, ...urlsOn })),
      track(ServerProcess.start('gateway-warn', ['gateway'], { ...base, ...urlsOn, LOG_LEVEL: 'warn' })),
      track(ServerProcess.start('gateway-rules-off', ['gateway'], { ...base, ...urlsOff })),
    ]);
    log(`${started.length} server processes up in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    const login = await fetch(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }', variables: { e: demoUser('hq-admin').email, p: DEMO_PASSWORD } }),
    });
    const token = ((await login.json()) as { data: { login: { token: string } } }).data.login.token;
    const principal = await authenticateBearer({ query: async (text, values) => (await sql.query(text, values)).rows }, token);
    if (!principal) throw new Error('the bench session does not authenticate');

    const all = () => [...started];
    return {
      database,
      sql,
      roots,
      token,
      principal,
      subgraphs,
      gateway,
      gatewayWarn,
      rulesOff: { subgraphs: offList, gateway: gatewayOff },
      all,
      close: async () => {
        await Promise.all(started.map((server) => server.stop()));
        await sql.end();
        await database.drop();
      },
    };
  } catch (error) {
    await Promise.all(started.map((server) => server.stop().catch(() => {})));
    await sql.end();
    await database.drop().catch(() => {});
    throw error;
  }
}

const TREE_HIERARCHY_ONLY = 'query Tree($id: ID!) { accountTree(rootId: $id) { id name depth status } }';
const TREE_CROSS_SUBGRAPH = 'query Tree($id: ID!) { accountTree(rootId: $id) { id name messageCount balance } }';

function gatewayTarget(name: string, server: ServerProcess, token: string, query: string, rootId: string): Target {
  return {
    name,
    url: server.url,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables: { id: rootId } }),
  };
}

/**
 * Runs subject and baseline alternately (the order flips every round), `rounds` times each;
 * returns the runs of each, in order.
 */
async function alternate(subject: Target, baseline: Target, rounds: number, options: { connections: number; seconds: number }): Promise<{ subject: LoadRun[]; baseline: LoadRun[] }> {
  const runs = { subject: [] as LoadRun[], baseline: [] as LoadRun[] };
  for (let round = 0; round < rounds; round++) {
    const order: ['subject' | 'baseline', Target][] = round % 2 === 0 ? [['subject', subject], ['baseline', baseline]] : [['baseline', baseline], ['subject', subject]];
    for (const [which, target] of order) runs[which].push(await load(target, options));
  }
  const errors = [...runs.subject, ...runs.baseline].reduce((sum, run) => sum + run.errors, 0);
  if (errors > 0) log(`warning: ${errors} failed responses while comparing ${subject.name} with ${baseline.name}`);
  return runs;
}

async function warmUp(...targets: Target[]): Promise<void> {
  for (const target of targets) {
    await verifyTarget(target);
    await load(target, { connections: 4, seconds: 2 });
  }
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);

/** Figure 1: the gateway against the account-hierarchy subgraph called directly, same query, same work. */
export async function gatewayOverhead(platform: BenchPlatform): Promise<BenchResult[]> {
  const rootId = platform.roots[100];
  const through = gatewayTarget('gateway', platform.gateway, platform.token, TREE_HIERARCHY_ONLY, rootId);
  const throughWarn = gatewayTarget('gateway-warn', platform.gatewayWarn, platform.token, TREE_HIERARCHY_ONLY, rootId);
  const direct: Target = {
    name: 'account-hierarchy',
    url: platform.subgraphs['account-hierarchy'].url,
    headers: { 'content-type': 'application/json' },
    headersPerRequest: () => ({ [PRINCIPAL_HEADER]: benchPrincipalToken(platform.principal, 'account-hierarchy') }),
    body: JSON.stringify({ query: TREE_HIERARCHY_ONLY, variables: { id: rootId } }),
  };
  log('figure 1: gateway overhead (warm-up)');
  await warmUp(through, throughWarn, direct);
  const accounts = ((await verifyTarget(direct)) as { accountTree: unknown[] }).accountTree.length;

  log('figure 1: 1 connection');
  const one = await alternate(through, direct, ROUNDS, { connections: 1, seconds: SECONDS });
  const differences = one.subject.map((run, i) => run.p50 - one.baseline[i].p50);
  const p50Difference = median(differences);
  log('figure 1: 10 connections');
  const ten = await alternate(through, direct, ROUNDS, { connections: 10, seconds: SECONDS });
  const ratios = ten.subject.map((run, i) => run.rps / ten.baseline[i].rps);
  const throughputRatio = median(ratios);

  const connections = subgraphConnections(platform.subgraphs['account-hierarchy'].url);

  log('figure 1: access log at info vs warn');
  const logRounds = Math.max(3, Math.ceil(ROUNDS / 2));
  const logOne = await alternate(through, throughWarn, logRounds, { connections: 1, seconds: SECONDS });
  const logTen = await alternate(through, throughWarn, logRounds, { connections: 10, seconds: SECONDS });
  const logP50 = median(logOne.subject.map((run, i) => run.p50 - logOne.baseline[i].p50));
  const logRps = median(logTen.subject.map((run, i) => run.rps / logTen.baseline[i].rps));

  const runsNote = (runs: LoadRun[]) => `${runs.length}×${SECONDS} s, ${runs.reduce((n, r) => n + r.requests, 0)} requests`;
  return [
    {
      figure: `Gateway overhead: p50 difference at 1 connection (accountTree of ${accounts} accounts, hierarchy fields only)`,
      goal: '≤ 1.5 ms',
      value: `${fmt(p50Difference)} ms`,
      met: p50Difference <= 1.5,
      notes: `gateway p50 ${fmt(median(one.subject.map((r) => r.p50)))} ms vs subgraph direct ${fmt(median(one.baseline.map((r) => r.p50)))} ms; median of ${differences.length} paired runs (spread ${spread(differences)} ms); ${runsNote(one.subject)} through the gateway`,
    },
    {
      figure: 'Gateway overhead: throughput ratio at 10 connections (gateway / subgraph direct)',
      goal: '≥ 0.5',
      value: fmt(throughputRatio),
      met: throughputRatio >= 0.5,
      notes: `gateway ${fmt(median(ten.subject.map((r) => r.rps)), 0)} req/s vs subgraph direct ${fmt(median(ten.baseline.map((r) => r.rps)), 0)} req/s; median of ${ratios.length} paired runs (spread ${spread(ratios)}); keep-alive check after the runs: ${connections}`,
    },
    {
      figure: 'Gateway access log: LOG_LEVEL=info vs warn (p50 difference at 1 connection; throughput ratio at 10)',
      goal: 'reported',
      value: `${fmt(logP50)} ms; ${fmt(logRps)}`,
      met: true,
      notes: `gateway p50 info ${fmt(median(logOne.subject.map((r) => r.p50)))} ms vs warn ${fmt(median(logOne.baseline.map((r) => r.p50)))} ms; ${fmt(median(logTen.subject.map((r) => r.rps)), 0)} vs ${fmt(median(logTen.baseline.map((r) => r.rps)), 0)} req/s; ${logRounds} paired runs each`,
    },
  ];
}

/**
 * Whether the gateway reuses its connections to a subgraph: sockets of the subgraph's port (both ends; autocannon's direct runs leave ~10 per run) now
 * established and in TIME-WAIT (thousands of the latter would mean a connection per request).
 */
function subgraphConnections(url: string): string {
  const port = new URL(url).port;
  try {
    const count = (state: string) => execSync(`ss -Htn state ${state} '( sport = :${port} or dport = :${port} )'`).toString().split('\n').filter(Boolean).length;
    return `${count('established')} connections to account-hierarchy established, ${count('time-wait')} in TIME-WAIT`;
  } catch {
    return 'ss not available';
  }
}

async function statementsPerRequest(platform: BenchPlatform, target: Target): Promise<{ total: number; byProcess: string }> {
  const servers = [platform.gateway, ...Object.values(platform.subgraphs)];
  await verifyTarget(target);
  for (const server of servers) server.resetStatements();
  await verifyTarget(target);
  const counts = await Promise.all(servers.map((server) => server.statementCount()));
  return { total: counts.reduce((a, b) => a + b, 0), byProcess: servers.map((server, i) => `${server.label} ${counts[i]}`).join(', ') };
}

/** Figure 2: `accountTree { id name messageCount balance }` across three subgraphs, trees of 10 to 10,000 accounts. */
export async function treeQuery(platform: BenchPlatform): Promise<BenchResult[]> {
  log('figure 2: cross-subgraph tree query');
  const targets = TREE_SIZES.map((size) => gatewayTarget(`tree-${size}`, platform.gateway, platform.token, TREE_CROSS_SUBGRAPH, platform.roots[size]));
  const measured: { total: number; byProcess: string }[] = [];
  for (const target of targets) measured.push(await statementsPerRequest(platform, target));
  const statements = measured.map((m) => m.total);
  for (const target of targets) await load(target, { connections: 1, maxRequests: 2 });

  const rounds = Math.max(3, Math.ceil(ROUNDS / 2));
  const p50s: number[][] = TREE_SIZES.map(() => []);
  const requests: number[] = TREE_SIZES.map(() => 0);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1, 2, 3] : [3, 2, 1, 0];
    for (const i of order) {
      // The largest tree answers in seconds: a few requests per run rather than a duration.
      const run = await load(targets[i], TREE_SIZES[i] >= 10_000 ? { connections: 1, maxRequests: 3 } : { connections: 1, seconds: SECONDS });
      p50s[i].push(run.p50);
      requests[i] += run.requests;
    }
  }
  const p50 = p50s.map(median);
  const perAccount = p50.map((ms, i) => (ms * 1000) / TREE_SIZES[i]);
  // "Flat or falling": from one size to the next, the cost per account never grows by more than the noise (15 %).
  const steps = perAccount.slice(1).map((value, i) => value / perAccount[i]);
  const constant = statements.every((n) => n === statements[0]);
  return [
    {
      figure: 'Tree query: SQL statements per request, trees of 10 / 100 / 1,000 / 10,000 accounts',
      goal: 'constant',
      value: statements.join(' / '),
      met: constant,
      notes: `every statement of the gateway (session lookup) and the four subgraphs, counted in each server process by its data source (no statement logging); by process: ${TREE_SIZES.map((size, i) => `${size}: ${measured[i].byProcess}`).join('; ')}`,
    },
    {
      figure: 'Tree query: p50 latency per account, trees of 10 / 100 / 1,000 / 10,000 accounts',
      goal: 'flat or falling',
      value: perAccount.map((us) => `${fmt(us, 1)} µs`).join(' / '),
      met: steps.every((step) => step <= 1.15),
      notes: `p50 ${p50.map((ms) => `${fmt(ms, 1)} ms`).join(' / ')} at 1 connection through the gateway; step ratios ${steps.map((s) => fmt(s)).join(', ')} (met when each ≤ 1.15); ${rounds} runs per size, ${requests.join(' / ')} requests`,
    },
  ];
}

/** Figure 3: the same list query with every subgraph's shield rules, against builds whose rules allow everything. */
export async function authorizationCost(platform: BenchPlatform): Promise<BenchResult[]> {
  log('figure 3: authorization cost');
  const rootId = platform.roots[100];
  const on = gatewayTarget('rules-on', platform.gateway, platform.token, TREE_CROSS_SUBGRAPH, rootId);
  const off = gatewayTarget('rules-off', platform.rulesOff.gateway, platform.token, TREE_CROSS_SUBGRAPH, rootId);
  await warmUp(on, off);
  const runs = await alternate(on, off, ROUNDS, { connections: 1, seconds: SECONDS });
  const ratios = runs.subject.map((run, i) => run.p50 / runs.baseline[i].p50 - 1);
  const cost = median(ratios);
  return [
    {
      figure: 'Authorization cost: p50 of accountTree { id name messageCount balance } (100 accounts), shield rules on vs allow-all',
      goal: '≤ 10 %',
      value: `${fmt(cost * 100, 1)} %`,
      met: cost <= 0.1,
      notes: `rules on ${fmt(median(runs.subject.map((r) => r.p50)))} ms vs allow-all ${fmt(median(runs.baseline.map((r) => r.p50)))} ms at 1 connection; median of ${ratios.length} paired runs (spread ${spread(ratios.map((r) => r * 100), 1)} %)`,
    },
  ];
}

export function peakRssTable(platform: BenchPlatform): string {
  const lines = ['| process | pid | peak RSS (VmHWM) |', '|---|---|---|'];
  for (const server of platform.all()) lines.push(`| ${server.label} | ${server.pid} | ${fmt(server.peakRssMb(), 0)} MB |`);
  return lines.join('\n');
}
