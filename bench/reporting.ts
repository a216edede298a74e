/**
 * `npm run bench:reporting` (SPEC R3): a generated tree of 10,000 accounts (levels 0-5) with
 * 5,000,000 messages over 90 days in a throwaway database; rollups built by the rebuild's
 * set-based SQL. Measures, at the root and at a level-2 account, the p50 of a 30-day subtree usage
 * query through the gateway against a naive recursive CTE over raw messages (same totals), and the
 * write cost of applyUsage against a plain insert of the same messages. Writes the table into the
 * "Reporting" section of bench/README.md. Sizes: BENCH_ACCOUNTS, BENCH_MESSAGES.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { execSync } from 'node:child_process';
import type { PoolClient } from 'pg';
import { startEmbeddedPostgres } from '@platform/db';
import { demoUser } from '@platform/demo-data';
import { applyUsageChanges, rebuildUsage, service as messaging } from '@platform/messaging';
import { startTestStack, type TestStack } from '@platform/platform/testing';
import { insertAccountTree } from '@platform/account-hierarchy';
import { markdownTable, type BenchResult } from './lib/result';
import { fmt, median, percentile } from './lib/stats';

const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 5_000_000);
const DAYS = 90;
const FIRST_DAY = '2024-01-01';
const RANGE = { from: '2024-02-01', to: '2024-03-01' }; // 30 days
const log = (line: string) => process.stderr.write(`[bench:reporting] ${line}\n`);

export function datasetCached(): boolean {
  return false;
}

const USAGE_QUERY = `query($id: ID!, $from: Date!, $to: Date!) { account(id: $id) { usage(from: $from, to: $to) { totals { messages parts delivered failed costUnits } } } }`;

const NAIVE_SQL = `
  WITH RECURSIVE subtree AS (
    SELECT id FROM hierarchy.accounts WHERE id = $1
    UNION ALL
    SELECT a.id FROM hierarchy.accounts a JOIN subtree s ON a.parent_id = s.id
  )
  SELECT count(*) FILTER (WHERE m.status <> 'CANCELLED')::int AS messages,
         coalesce(sum(m.parts) FILTER (WHERE m.status <> 'CANCELLED'), 0)::int AS parts,
         count(*) FILTER (WHERE m.status = 'DELIVERED')::int AS delivered,
         count(*) FILTER (WHERE m.status IN ('FAILED', 'EXPIRED'))::int AS failed,
         coalesce(sum(m.cost_units) FILTER (WHERE m.status <> 'CANCELLED'), 0)::int AS "costUnits"
    FROM messaging.messages m JOIN subtree s ON m.account_id = s.id
   WHERE m.usage_day BETWEEN $2::date AND $3::date`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const startedAt = performance.now();
  const value = await work();
  return { ms: performance.now() - startedAt, value };
}

async function generate(stack: TestStack): Promise<{ rootId: string; midId: string }> {
  const tree = await insertAccountTree(stack.sql, { size: ACCOUNTS, fanout: 7, name: 'Bench tree' });
  await stack.sql.query(`INSERT INTO identity.memberships (user_id, account_id, role) VALUES ($1, $2, 'ADMIN')`, [demoUser('hq-admin').id, tree.rootId]);
  const { rows: depths } = await stack.sql.query(`SELECT max(depth) AS depth FROM hierarchy.accounts WHERE root_id = $1`, [tree.rootId]);
  log(`tree: ${tree.accountIds.length} accounts, deepest level ${depths[0].depth}`);
  const chunk = 1_000_000;
  for (let start = 0; start < MESSAGES; start += chunk) {
    const { ms } = await timed(() =>
      stack.sql.query(
        `INSERT INTO messaging.messages (account_id, user_id, sender_id, recipient, body, parts, cost_units, status, usage_day)
         SELECT a.id, md5(a.n::text || '/' || g % 2)::uuid,
                CASE WHEN g % 3 = 0 THEN NULL ELSE md5('sender/' || g % 5)::uuid END,
                '+447700900000', 'bench', 1 + g % 3, 1 + g % 3,
                CASE g % 20 WHEN 0 THEN 'FAILED' WHEN 1 THEN 'EXPIRED' WHEN 2 THEN 'CANCELLED' WHEN 3 THEN 'QUEUED' ELSE 'DELIVERED' END,
                $3::date + (g % ${DAYS})
           FROM generate_series($2::int, least($2::int + ${chunk}, $4::int) - 1) AS g
           JOIN (SELECT id, ordinality - 1 AS n FROM unnest($1::uuid[]) WITH ORDINALITY AS u(id, ordinality)) AS a
             ON a.n = (g::bigint * 7919) % ${ACCOUNTS}`,
        [tree.accountIds, start, FIRST_DAY, MESSAGES],
      ),
    );
    log(`messages ${start + chunk > MESSAGES ? MESSAGES : start + chunk}/${MESSAGES} (${fmt(ms / 1000, 1)} s)`);
  }
  return { rootId: tree.rootId, midId: tree.accountIds[8] };
}

async function writeCost(stack: TestStack, accountIds: string[]): Promise<{ plainMs: number; usageMs: number; batches: number; perBatch: number }> {
  const batches = 20;
  const perBatch = 1_000;
  const run = async (withUsage: boolean): Promise<number> => {
    const client: PoolClient = await stack.sql.connect();
    const runner = { query: async (sql: string, parameters?: unknown[]) => (await client.query(sql, parameters)).rows };
    let total = 0;
    try {
      for (let b = 0; b < batches; b++) {
        // a bulk send: one account, one user, one sender id, one day, 1,000 recipients
        const accountId = accountIds[crypto.randomInt(accountIds.length)];
        const userId = crypto.randomUUID();
        const day = '2024-03-15';
        const { ms } = await timed(async () => {
          await client.query('BEGIN');
          await client.query(
            `INSERT INTO messaging.messages (account_id, user_id, recipient, body, parts, cost_units, status, usage_day)
             SELECT $1, $2, '+4477009' || lpad(g::text, 5, '0'), 'bench bulk', 1, 1, 'QUEUED', $3::date FROM generate_series(1, $4::int) AS g`,
            [accountId, userId, day, perBatch],
          );
          if (withUsage) {
            await applyUsageChanges(
              runner,
              Array.from({ length: perBatch }, () => ({ accountId, userId, senderId: null, day, messages: 1, parts: 1, delivered: 0, failed: 0, costUnits: 1 })),
            );
          }
          await client.query('COMMIT');
        });
        total += ms;
      }
    } finally {
      client.release();
    }
    return total;
  };
  await run(false); // warm-up
  const plain: number[] = [];
  const usage: number[] = [];
  for (let round = 0; round < 3; round++) {
    plain.push(await run(false));
    usage.push(await run(true));
  }
  return { plainMs: median(plain), usageMs: median(usage), batches, perBatch };
}

export async function runBenchmark(): Promise<BenchResult[]> {
  if (!process.env.DATABASE_URL) {
    const postgres = await startEmbeddedPostgres({ dataDir: '.data/bench-postgres', port: Number(process.env.EMBEDDED_PG_TEST_PORT ?? 54331) });
    process.env.DATABASE_URL = postgres.url;
  }
  const stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0', BILLING_SWEEP_INTERVAL_MS: '0' } });
  try {
    const generation = await timed(() => generate(stack));
    const { rootId, midId } = generation.value;
    const dataSource = messaging.createDataSource(stack.database.url, { poolSize: 1 });
    await dataSource.initialize();
    const rebuild = await timed(() => rebuildUsage(dataSource));
    await dataSource.destroy();
    await stack.sql.query('ANALYZE');
    log(`generated in ${fmt(generation.ms / 1000, 1)} s, rollups rebuilt in ${fmt(rebuild.ms / 1000, 1)} s (${rebuild.value.subtreeDayRows} subtree rows, ${rebuild.value.accountDayRows} account rows)`);

    const token = await stack.login('hq.admin@retail.example');
    const results: BenchResult[] = [];
    for (const [label, accountId] of [['root (10,000 accounts)', rootId], ['level-2 account', midId]] as const) {
      const samples: number[] = [];
      let totals: unknown;
      for (let i = 0; i < 60; i++) {
        const { ms, value } = await timed(() => stack.graphql(USAGE_QUERY, { id: accountId, ...RANGE }, token));
        if (value.errors) throw new Error(JSON.stringify(value.errors));
        if (i >= 10) samples.push(ms);
        totals = value.data.account.usage.totals;
      }
      const naive: number[] = [];
      let naiveTotals: unknown;
      for (let i = 0; i < 5; i++) {
        const { ms, value } = await timed(() => stack.sql.query(NAIVE_SQL, [accountId, RANGE.from, RANGE.to]));
        naive.push(ms);
        naiveTotals = value.rows[0];
      }
      const same = JSON.stringify(totals) === JSON.stringify(naiveTotals);
      const p50 = percentile(samples, 50);
      results.push({
        figure: `Reporting: 30-day subtree usage at the ${label}, p50 through the gateway`,
        goal: 'tens of ms; same totals as raw',
        value: `${fmt(p50)} ms`,
        met: p50 < 100 && same,
        notes: `naive recursive CTE over raw messages (SQL only, no gateway): p50 ${fmt(percentile(naive, 50))} ms (${fmt(percentile(naive, 50) / p50, 0)}×); totals ${same ? 'identical' : `DIFFER: ${JSON.stringify(totals)} vs ${JSON.stringify(naiveTotals)}`} (${(totals as { messages: number }).messages} messages); 50 samples after 10 warm-ups`,
      });
    }

    const { rows: subtreeAccounts } = await stack.sql.query(
      `SELECT id FROM hierarchy.accounts WHERE root_id = $1 AND depth = (SELECT max(depth) FROM hierarchy.accounts WHERE root_id = $1) LIMIT 500`,
      [rootId],
    );
    const write = await writeCost(stack, subtreeAccounts.map((r) => r.id));
    const ratio = write.usageMs / write.plainMs;
    results.push({
      figure: 'Reporting: write cost of rollups (insert + applyUsage vs plain insert), bulk sends at the deepest level',
      goal: '≤ 5×',
      value: `${fmt(ratio)}×`,
      met: ratio <= 5,
      notes: `${write.batches} bulk sends × ${write.perBatch} messages, one transaction each: ${fmt(write.plainMs / write.batches)} ms plain vs ${fmt(write.usageMs / write.batches)} ms with rollups per send (median of 3 rounds)`,
    });
    results.push({
      figure: 'Reporting: dataset generation + rollup rebuild',
      goal: '≤ ~3 min generation',
      value: `${fmt(generation.ms / 1000, 1)} s + ${fmt(rebuild.ms / 1000, 1)} s`,
      met: generation.ms < 200_000,
      notes: `${ACCOUNTS} accounts (levels 0-5), ${MESSAGES} messages over ${DAYS} days; ${rebuild.value.subtreeDayRows} subtree-day rows, ${rebuild.value.accountDayRows} account-day rows`,
    });
    return results;
  } finally {
    await stack.close();
  }
}

function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  const pg = execSync(`psql "${process.env.DATABASE_URL}" -Atc "SHOW server_version"`, { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  return `nproc ${execSync('nproc').toString().trim()} (${cpu}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, PostgreSQL ${pg || 'embedded'}`;
}

/** Replaces only the "## Reporting" section of bench/README.md (other sections belong to others). */
function writeReadmeSection(table: string): void {
  const file = path.join(__dirname, 'README.md');
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '# Benchmarks\n';
  const section = `## Reporting\n\n\`npm run bench:reporting\` (bench/reporting.ts), ${new Date().toISOString().slice(0, 10)}, on ${machine()}.\n\n${table}\n`;
  const pattern = /## Reporting\n[\s\S]*?(?=\n## |$)/;
  const next = pattern.test(current) ? current.replace(pattern, section) : `${current.trimEnd()}\n\n${section}`;
  fs.writeFileSync(file, next);
}

if (require.main === module) {
  runBenchmark()
    .then((results) => {
      const table = markdownTable(results);
      console.log(table);
      writeReadmeSection(table);
      process.exit(0);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
