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
 *   c. 200 concurrent sendMessage requests through the gateway, p95 of their latencies.
 * Each is measured BENCH_ROUNDS times (default 3); the figure is the median, the spread is in the notes.
 */
import crypto from 'node:crypto';
import { Pool } from 'pg';
import { loadConfig } from '@platform/config';
import { DEMO_PASSWORD, demoAccount, demoUser } from '@platform/demo-data';
import { prepareDatabase } from '@platform/platform';
import { createDeliveryWorker, service as messaging } from '@platform/messaging';
import { BENCH_KEY_ENVIRONMENT, createBenchDatabase, serverEnvironment, startServerSet, type ServerProcess } from './lib/cluster';
import { markdownTable, type BenchResult } from './lib/result';
import { fmt, median, percentile, spread } from './lib/stats';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const GROUP_SIZE = 10_000;
const CONCURRENT = 200;
const BATCH_SIZE = 1000;
const log = (line: string) => process.stderr.write(`[bench] send-path: ${line}\n`);

export async function runBenchmark(): Promise<BenchResult[]> {
  const database = await createBenchDatabase();
  const sql = new Pool({ connectionString: database.url, max: 2 });
  const started: ServerProcess[] = [];
  try {
    await prepareDatabase(database.url, { seedDemo: true });
    const base = serverEnvironment(database.url, { MESSAGING_WORKER_INTERVAL_MS: '0', WEBHOOK_DISPATCH_INTERVAL_MS: '0' });
    const { subgraphs, gql, login } = await startServerSet(base, started);
    const token = await login(demoUser('hq-admin').email, DEMO_PASSWORD);

    // Every check on, none binding during the run.
    const store = demoAccount('store-s2').id;
    const limits = { daily: 10_000_000, monthly: 100_000_000 };
    const window = { days: ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'], start: '00:00', end: '23:59' };
    const settings = `mutation($id: ID!, $input: AccountSettingsInput!) { updateAccountSettings(id: $id, input: $input) { id } }`;
    await gql(settings, { id: demoAccount('hq').id, input: { sendingWindow: window } }, token);
    await gql(settings, { id: demoAccount('south').id, input: { smsLimits: limits } }, token);
    await gql(settings, { id: store, input: { smsLimits: limits } }, token);
    await gql(`mutation($a: ID!) { setCreditLimit(accountId: $a, limit: 5000000) { id } }`, { a: store }, token);
    // The sender has a user credit limit, which only someone above them may set (SPEC I6): an advanced user of the store.
    await gql(`mutation($a: ID!, $e: String!) { addAccountMember(accountId: $a, email: $e, role: ADVANCED_USER) { membership { id } } }`, { a: store, e: demoUser('accountant').email }, token);
    await gql(`mutation($a: ID!, $u: ID!) { setUserCreditLimit(accountId: $a, userId: $u, limit: 5000000) { limit } }`, { a: store, u: demoUser('accountant').id }, token);
    const sender = await login(demoUser('accountant').email, DEMO_PASSWORD);
    await gql(`mutation($a: ID!) { enableOwnBalance(accountId: $a) { id } }`, { a: store }, token);
    await gql(`mutation($i: TransferInput!) { transferBalance(input: $i) { units } }`, { i: { fromAccountId: demoAccount('hq').id, toAccountId: store, units: 90_000, idempotencyKey: crypto.randomUUID() } }, token);

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
    for (let round = 0; round < ROUNDS; round++) {
      const t0 = performance.now();
      const sent = await gql(`mutation($input: SendBulkInput!) { sendBulk(input: $input) { accepted } }`, { input: { accountId: store, groupIds: [group], body: `Bench bulk ${round}` } }, sender);
      bulkMs.push(performance.now() - t0);
      if (sent.sendBulk.accepted !== GROUP_SIZE) throw new Error(`bulk accepted ${sent.sendBulk.accepted}`);
    }
    log(`bulk acceptance ${bulkMs.map((v) => fmt(v, 0)).join(', ')} ms`);

    // b. loopback drain of the queued bulk messages, one batch series per round
    const config = { ...loadConfig({ NODE_ENV: 'production', DATABASE_URL: database.url, INTERNAL_SIGNING_SECRET: 'x'.repeat(32), WEBHOOK_ENCRYPTION_KEY: 'y'.repeat(32), ...BENCH_KEY_ENVIRONMENT, MESSAGING_WORKER_BATCH_SIZE: String(BATCH_SIZE), BILLING_URL: subgraphs.billing.url, LOG_LEVEL: 'warn' }) };
    const dataSource = messaging.createDataSource(database.url, { poolSize: 4 });
    await dataSource.initialize();
    const rates: number[] = [];
    try {
      const worker = createDeliveryWorker(dataSource, config);
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
    } finally {
      await dataSource.destroy();
    }
    log(`drain ${rates.map((v) => fmt(v, 0)).join(', ')} msg/s`);

    // c. 200 concurrent single sends
    const send = async (i: number, round: number) => {
      const t0 = performance.now();
      const data = await gql(`mutation($input: SendMessageInput!) { sendMessage(input: $input) { accepted } }`, { input: { accountId: store, to: `+447401${String(round * 1000 + i).padStart(6, '0')}`, body: `Bench single ${i}` } }, sender);
      if (data.sendMessage.accepted !== 1) throw new Error('a single send was not accepted');
      return performance.now() - t0;
    };
    await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i, 99))); // warm-up
    const p95s: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const latencies = await Promise.all(Array.from({ length: CONCURRENT }, (_, i) => send(i, round)));
      p95s.push(percentile(latencies, 95));
    }
    log(`concurrent p95 ${p95s.map((v) => fmt(v, 1)).join(', ')} ms`);

    const bulk = median(bulkMs);
    const rate = median(rates);
    const p95 = median(p95s);
    const notes = `${ROUNDS} rounds, ${database.where}; every check on (window, daily/monthly limits on account and region, account and user credit limits, own balance)`;
    return [
      { figure: 'Send path: bulk acceptance of 10,000 recipients', goal: '≤ 1 s', value: `${fmt(bulk / 1000, 2)} s`, met: bulk <= 1000, notes: `sendBulk to a 10,000-contact group through the gateway; rounds ${spread(bulkMs.map((v) => v / 1000))} s; ${notes}` },
      { figure: 'Send path: loopback drain rate', goal: '≥ 2,000 msg/s', value: `${fmt(rate, 0)} msg/s`, met: rate >= 2000, notes: `DeliveryWorker.deliverBatch, batches of ${BATCH_SIZE}; rounds ${spread(rates, 0)} msg/s` },
      { figure: 'Send path: 200 concurrent single sends, p95', goal: '≤ 50 ms', value: `${fmt(p95, 1)} ms`, met: p95 <= 50, notes: `${CONCURRENT} sendMessage requests at once through the gateway; rounds ${spread(p95s, 1)} ms; ${notes}` },
    ];
  } finally {
    await Promise.all(started.map((server) => server.stop().catch(() => {})));
    await sql.end();
    await database.drop();
  }
}

if (require.main === module) {
  runBenchmark()
    .then((results) => {
      process.stdout.write(`${markdownTable(results)}\n`);
    })
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
