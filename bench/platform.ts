/**
 * Figures 1-3: gateway overhead, the cross-subgraph tree query, the cost of authorization.
 *
 * Every server runs in its own process (bench/lib/serve.ts, the same code as the production
 * entries, compiled to JavaScript unless BENCH_RUNTIME=tsx) in production mode with production
 * defaults (LOG_LEVEL=info); the load generator (autocannon) runs in this process. Three process
 * sets share one throwaway database:
 *   rules on : the four subgraphs, `gateway` (LOG_LEVEL=info), `gateway-warn` (LOG_LEVEL=warn) and
 *              `hive-gateway` (Hive Gateway's runtime, bench/lib/hive-gateway.ts)
 *   allow-all: account-hierarchy, messaging and billing whose rules allow every field (shield's
 *              middleware still wraps every field), and their `gateway-allow-all`
 *   no shield: the same three with no shield middleware at all, and their `gateway-no-shield`
 * (identity is shared: the measured queries do not reach it). A figure alternates its subject and
 * its baseline run by run and takes medians.
 */
import { execSync } from 'node:child_process';
import { Pool } from 'pg';
import { authenticateBearer, PRINCIPAL_HEADER, type Principal } from '@platform/authz';
import { SUBGRAPH_NAMES, type SubgraphName } from '@platform/config';
import { DEMO_PASSWORD, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { insertAccountTree } from '@platform/account-hierarchy';
import { installHiveGateway } from './lib/hive-gateway';
import { benchPrincipalToken, createBenchDatabase, RUNTIME, serverEnvironment, ServerProcess, type BenchDatabase } from './lib/cluster';
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
  accountIds: Record<number, string[]>;
  token: string;
  /** the demo admin's principal, for direct subgraph calls signed as the gateway would (benchPrincipalToken) */
  principal: Principal;
  subgraphs: Record<SubgraphName, ServerProcess>;
  gateway: ServerProcess;
  gatewayWarn: ServerProcess;
  /** Hive Gateway's runtime on the same subgraphs (bench/lib/hive-gateway.ts), figure 1's comparison */
  hiveGateway: ServerProcess;
  /** the baselines of figure 3, by subgraph name (account-hierarchy, messaging, billing) */
  allowAll: { subgraphs: Partial<Record<SubgraphName, ServerProcess>>; gateway: ServerProcess };
  noShield: { subgraphs: Partial<Record<SubgraphName, ServerProcess>>; gateway: ServerProcess };
  /** memory of every process once all were up, before any load */
  atRest: Map<ServerProcess, { rss: number; heapUsed: number }>;
  all(): ServerProcess[];
  close(): Promise<void>;
}

/** The generated trees of the bench (see bench/README.md, How it measures), under the demo admin. */
export async function seedTrees(sql: Pool, sizes: readonly number[] = TREE_SIZES): Promise<{ roots: Record<number, string>; accountIds: Record<number, string[]> }> {
  const roots: Record<number, string> = {};
  const accountIds: Record<number, string[]> = {};
  const admin = demoUser('hq-admin').id;
  for (const size of sizes) {
    const tree = await insertAccountTree(sql, { size, fanout: 10, name: `Bench tree ${size}` });
    roots[size] = tree.rootId;
    accountIds[size] = tree.accountIds;
    await sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [admin, tree.rootId]);
    await sql.query(`INSERT INTO billing.balances (account_id, units) VALUES ($1, 1000000)`, [tree.rootId]);
    // A message for every third account, so messageCount reads real rows.
    await sql.query(
      `INSERT INTO messaging.messages (account_id, recipient, body) SELECT id, '+447700900000', 'hi' FROM unnest($1::uuid[]) AS id`,
      [tree.accountIds.filter((_, i) => i % 3 === 0)],
    );
  }
  await sql.query('ANALYZE');
  return { roots, accountIds };
}

export async function startBenchPlatform(): Promise<BenchPlatform> {
  const startedAt = Date.now();
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const { roots, accountIds } = await seedTrees(sql);
    log(`database ready (${database.where}) in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);

    const base = serverEnvironment(database.url);
    const track = async (promise: Promise<ServerProcess>) => {
      const server = await promise;
      started.push(server);
      return server;
    };
    const onList = await Promise.all(SUBGRAPH_NAMES.map((name) => track(ServerProcess.start(name, ['subgraph', name], base))));
    const subgraphs = Object.fromEntries(SUBGRAPH_NAMES.map((name, i) => [name, onList[i]])) as Record<SubgraphName, ServerProcess>;
    const baselineNames = SUBGRAPH_NAMES.filter((name) => name !== 'identity');
    const startBaseline = async (suffix: string, flag: string) => {
      const list = await Promise.all(baselineNames.map((name) => track(ServerProcess.start(`${name}-${suffix}`, ['subgraph', name, flag], base))));
      return Object.fromEntries(baselineNames.map((name, i) => [name, list[i]])) as Partial<Record<SubgraphName, ServerProcess>>;
    };
    const allowAllSubgraphs = await startBaseline('allow-all', '--rules=off');
    const noShieldSubgraphs = await startBaseline('no-shield', '--shield=off');
    const urlsOn = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [URL_VARIABLES[name], subgraphs[name].url]));
    const urlsOf = (set: Partial<Record<SubgraphName, ServerProcess>>) => ({ ...urlsOn, ...Object.fromEntries(baselineNames.map((name) => [URL_VARIABLES[name], set[name]!.url])) });
    installHiveGateway();
    const [gateway, gatewayWarn, gatewayAllowAll, gatewayNoShield, hiveGateway] = await Promise.all([
      track(ServerProcess.start('gateway', ['gateway'], { ...base, ...urlsOn })),
      track(ServerProcess.start('gateway-warn', ['gateway'], { ...base, ...urlsOn, LOG_LEVEL: 'warn' })),
      track(ServerProcess.start('gateway-allow-all', ['gateway'], { ...base, ...urlsOf(allowAllSubgraphs) })),
      track(ServerProcess.start('gateway-no-shield', ['gateway'], { ...base, ...urlsOf(noShieldSubgraphs) })),
      track(ServerProcess.start('hive-gateway', ['hive-gateway'], { ...base, ...urlsOn })),
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
    // Settled: a second after start, before any load (a server's first request compiles its plan caches, JIT…).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const atRest = new Map(await Promise.all(started.map(async (server) => [server, await server.memory()] as const)));
    return {
      database,
      sql,
      roots,
      accountIds,
      token,
      principal,
      subgraphs,
      gateway,
      gatewayWarn,
      hiveGateway,
      allowAll: { subgraphs: allowAllSubgraphs, gateway: gatewayAllowAll },
      noShield: { subgraphs: noShieldSubgraphs, gateway: gatewayNoShield },
      atRest,
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

  log('figure 1: Hive Gateway on the same subgraphs');
  const hive = gatewayTarget('hive-gateway', platform.hiveGateway, platform.token, TREE_HIERARCHY_ONLY, rootId);
  await warmUp(hive);
  const hiveOne = await alternate(through, hive, ROUNDS, { connections: 1, seconds: SECONDS });
  const hiveTen = await alternate(through, hive, ROUNDS, { connections: 10, seconds: SECONDS });
  const hiveP50 = median(hiveOne.subject.map((run, i) => run.p50 - hiveOne.baseline[i].p50));
  const hiveRps = median(hiveTen.subject.map((run, i) => run.rps / hiveTen.baseline[i].rps));

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
      goal: '≥ 0.8',
      value: fmt(throughputRatio),
      met: throughputRatio >= 0.8,
      notes: `gateway ${fmt(median(ten.subject.map((r) => r.rps)), 0)} req/s vs subgraph direct ${fmt(median(ten.baseline.map((r) => r.rps)), 0)} req/s; median of ${ratios.length} paired runs (spread ${spread(ratios)}); keep-alive check after the runs: ${connections}`,
    },
    {
      figure: 'Gateway vs Hive Gateway on the same subgraphs: p50 difference at 1 connection; throughput ratio at 10 (ours / Hive)',
      goal: 'ahead (≤ 0 ms; ≥ 1)',
      value: `${fmt(hiveP50)} ms; ${fmt(hiveRps)}`,
      met: hiveP50 <= 0 && hiveRps >= 1,
      notes: `ours p50 ${fmt(median(hiveOne.subject.map((r) => r.p50)))} ms vs Hive Gateway (@graphql-hive/gateway-runtime 2.12.1, session lookup and principal tokens added, bench/lib/hive-gateway.ts) ${fmt(median(hiveOne.baseline.map((r) => r.p50)))} ms; ${fmt(median(hiveTen.subject.map((r) => r.rps)), 0)} vs ${fmt(median(hiveTen.baseline.map((r) => r.rps)), 0)} req/s; ${ROUNDS} paired runs each (spreads ${spread(hiveOne.subject.map((run, i) => run.p50 - hiveOne.baseline[i].p50))} ms; ${spread(hiveTen.subject.map((run, i) => run.rps / hiveTen.baseline[i].rps))})`,
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
      figure: 'Tree query: p50 of the 10,000-account tree through the gateway',
      goal: '≤ 200 ms',
      value: `${fmt(p50[p50.length - 1], 1)} ms`,
      met: p50[p50.length - 1] <= 200,
      notes: `accountTree { id name messageCount balance } at 1 connection; ${requests[requests.length - 1]} requests over ${rounds} runs; before issue 17: 1,339 ms in the same conditions (shared machine, tsx)`,
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

/** Runs every target in turn, `rounds` times (the order rotates every round); the runs of each target, in order. */
async function rotate(targets: Target[], rounds: number, options: { connections: number; seconds?: number; maxRequests?: number }): Promise<LoadRun[][]> {
  const runs = targets.map(() => [] as LoadRun[]);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (round + k) % targets.length;
      runs[i].push(await load(targets[i], options));
    }
  }
  const errors = runs.flat().reduce((sum, run) => sum + run.errors, 0);
  if (errors > 0) log(`warning: ${errors} failed responses while comparing ${targets.map((t) => t.name).join(', ')}`);
  return runs;
}

const pct = (value: number) => `${fmt(value * 100, 1)} %`;

/** What the gateway asks each subgraph for the cross-subgraph tree (its fetches in the query plan), sent to it directly. */
function subgraphPartTargets(platform: BenchPlatform, size: number, variant: string, servers: Partial<Record<SubgraphName, ServerProcess>>): Target[] {
  const representations = platform.accountIds[size].map((id) => ({ __typename: 'Account', id }));
  const parts: [SubgraphName, string, Record<string, unknown>][] = [
    ['account-hierarchy', 'query($id: ID!) { accountTree(rootId: $id) { __typename id name } }', { id: platform.roots[size] }],
    ['messaging', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { messageCount } } }', { r: representations }],
    ['billing', 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { balance } } }', { r: representations }],
  ];
  return parts.map(([name, query, variables]) => ({
    name: `${name}-${variant}`,
    url: servers[name]!.url,
    headers: { 'content-type': 'application/json' },
    headersPerRequest: () => ({ [PRINCIPAL_HEADER]: benchPrincipalToken(platform.principal, name) }),
    body: JSON.stringify({ query, variables }),
  }));
}

/**
 * Figure 3: what the customer's authorization stack costs. The same queries with every subgraph's
 * shield rules, against builds with no shield middleware at all and builds whose rules allow every
 * field (the middleware and shield's wrapper still run): through the gateway for 100 and 10,000
 * accounts, and each subgraph's own part of the 10,000-account tree called directly.
 */
export async function authorizationCost(platform: BenchPlatform): Promise<BenchResult[]> {
  log('figure 3: authorization cost');
  const results: BenchResult[] = [];
  for (const size of [100, 10_000]) {
    const rootId = platform.roots[size];
    const on = gatewayTarget(`shield-${size}`, platform.gateway, platform.token, TREE_CROSS_SUBGRAPH, rootId);
    const none = gatewayTarget(`no-shield-${size}`, platform.noShield.gateway, platform.token, TREE_CROSS_SUBGRAPH, rootId);
    const allowAll = gatewayTarget(`allow-all-${size}`, platform.allowAll.gateway, platform.token, TREE_CROSS_SUBGRAPH, rootId);
    for (const target of [on, none, allowAll]) await verifyTarget(target);
    const large = size >= 10_000;
    if (!large) await warmUp(on, none, allowAll);
    else for (const target of [on, none, allowAll]) await load(target, { connections: 1, maxRequests: 2 });
    const [onRuns, noneRuns, allowRuns] = await rotate([on, none, allowAll], ROUNDS, large ? { connections: 1, maxRequests: 3 } : { connections: 1, seconds: SECONDS });
    const costs = onRuns.map((run, i) => run.p50 / noneRuns[i].p50 - 1);
    const middleware = allowRuns.map((run, i) => run.p50 / noneRuns[i].p50 - 1);
    const goal = large ? 0.15 : 0.1;
    results.push({
      figure: `Authorization cost through the gateway: p50 of accountTree { id name messageCount balance } (${size.toLocaleString('en')} accounts), shield vs no shield middleware`,
      goal: `≤ ${goal * 100} %`,
      value: pct(median(costs)),
      met: median(costs) <= goal,
      notes: `shield ${fmt(median(onRuns.map((r) => r.p50)))} ms vs no shield ${fmt(median(noneRuns.map((r) => r.p50)))} ms; rules allowing everything (graphql-middleware and shield's wrapper only) ${fmt(median(allowRuns.map((r) => r.p50)))} ms (${pct(median(middleware))}); median of ${costs.length} paired runs (spread ${spread(costs.map((c) => c * 100), 1)} %) at 1 connection`,
    });
  }

  log('figure 3: each subgraph part of the 10,000-account tree, direct');
  const on = subgraphPartTargets(platform, 10_000, 'shield', platform.subgraphs);
  const none = subgraphPartTargets(platform, 10_000, 'no-shield', platform.noShield.subgraphs);
  const allowAll = subgraphPartTargets(platform, 10_000, 'allow-all', platform.allowAll.subgraphs);
  const shares: string[] = [];
  const middlewareShares: string[] = [];
  const p50s: string[] = [];
  let worst = 0;
  for (let part = 0; part < on.length; part++) {
    const targets = [on[part], none[part], allowAll[part]];
    for (const target of targets) await verifyTarget(target);
    for (const target of targets) await load(target, { connections: 1, maxRequests: 2 });
    const [onRuns, noneRuns, allowRuns] = await rotate(targets, ROUNDS, { connections: 1, maxRequests: 5 });
    const share = median(onRuns.map((run, i) => 1 - noneRuns[i].p50 / run.p50));
    const middlewareShare = median(allowRuns.map((run, i) => (run.p50 - noneRuns[i].p50) / onRuns[i].p50));
    const name = on[part].name.replace(/-shield$/, '');
    worst = Math.max(worst, share);
    shares.push(`${name} ${pct(share)}`);
    middlewareShares.push(`${name} ${pct(middlewareShare)}`);
    p50s.push(`${name} ${fmt(median(onRuns.map((r) => r.p50)))} / ${fmt(median(allowRuns.map((r) => r.p50)))} / ${fmt(median(noneRuns.map((r) => r.p50)))} ms`);
  }
  results.push({
    figure: "Authorization cost: shield's share (rules and middleware) of each subgraph's time for its part of the 10,000-account tree, called directly",
    goal: '≤ 15 %',
    value: shares.join('; '),
    met: worst <= 0.15,
    notes: `share = 1 − p50 without shield middleware / p50 with shield; graphql-middleware's own share (rules that allow everything vs no middleware, of the shield p50): ${middlewareShares.join('; ')}; p50 shield / allow-all / no shield: ${p50s.join('; ')}; median of ${ROUNDS} rounds of 5 requests at 1 connection`,
  });
  return results;
}

const mb = (bytes: number) => `${fmt(bytes / 2 ** 20, 0)} MB`;

/**
 * Memory of every server process: at rest (after start, before load) and at peak (after figures 1-3).
 * The goal is the platform's processes' (the baselines of figure 3 included); Hive Gateway's runtime, the
 * comparison of figure 1 with V8's defaults, is listed but not counted.
 */
export async function memoryFigure(platform: BenchPlatform): Promise<{ result: BenchResult; table: string }> {
  const lines = ['| process | RSS at rest | heap at rest | peak RSS (VmHWM) | peak heap (sampled every 20 ms) |', '|---|---|---|---|---|'];
  let worst = { label: '', rss: 0 };
  let comparison = '';
  const rest: number[] = [];
  for (const server of platform.all()) {
    const atRest = platform.atRest.get(server)!;
    const now = await server.memory();
    const peakRss = server.peakRssMb() * 2 ** 20;
    if (server === platform.hiveGateway) comparison = `; Hive Gateway's runtime (not counted) ${mb(peakRss)}`;
    else {
      if (peakRss > worst.rss) worst = { label: server.label, rss: peakRss };
      rest.push(atRest.rss);
    }
    lines.push(`| ${server.label} | ${mb(atRest.rss)} | ${mb(atRest.heapUsed)} | ${mb(peakRss)} | ${mb(now.peakHeapUsed)} |`);
  }
  return {
    result: {
      figure: `Memory: peak RSS of every server process of the platform under figures 1-3 (${RUNTIME === 'compiled' ? 'compiled JavaScript' : 'tsx'})`,
      goal: '≤ 250 MB',
      value: `${mb(worst.rss)} (${worst.label})`,
      met: worst.rss <= 250 * 2 ** 20,
      notes: `RSS at rest ${mb(Math.min(...rest))}–${mb(Math.max(...rest))}${comparison}; every process in the table below`,
    },
    table: lines.join('\n'),
  };
}
