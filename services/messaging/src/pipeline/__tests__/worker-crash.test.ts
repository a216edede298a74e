import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { demoAccount, demoUser } from '@platform/demo-data';
import { startTestStack, type TestStack } from '@platform/platform/testing';

jest.setTimeout(180_000);

const ROOT = path.join(__dirname, '..', '..', '..', '..', '..');
const BULK = `mutation($input: SendBulkInput!) { sendBulk(input: $input) { batchId accepted messageIds } }`;
const number = (i: number) => `+4474005${String(i).padStart(5, '0')}`;

interface Worker {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Polls `condition` until it holds; fails (with what the workers said) if a worker dies or it never holds. */
async function until(condition: () => Promise<boolean>, what: string, workers: Worker[]): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (!(await condition())) {
    const dead = workers.find((w) => w.child.exitCode !== null);
    if (dead) throw new Error(`worker exited (${dead.child.exitCode}) while waiting for ${what}: ${dead.stderr()}`);
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** SPEC M3: the delivery queue is durable; a worker killed mid-batch loses nothing and sends nothing twice. */
describe('messaging worker process killed mid-batch (SPEC M3)', () => {
  let stack: TestStack;
  const workers: Worker[] = [];

  const startWorker = (args: string[]): Worker => {
    // node itself (not the tsx CLI, which runs the script in a grandchild a SIGKILL would not reach)
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/run-messaging-worker.ts', ...args], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        DATABASE_URL: stack.database.url,
        BILLING_URL: stack.subgraphUrls.billing,
        MESSAGING_WORKER_INTERVAL_MS: '20',
        MESSAGING_WORKER_BATCH_SIZE: '10',
        MESSAGING_WORKER_LEASE_SECONDS: '4',
        LOOPBACK_RECEIPT_DELAY_MS: '0',
        LOOPBACK_FAILURE_PERCENT: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const worker = { child, exited: new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal }))), stderr: () => stderr };
    workers.push(worker);
    return worker;
  };

  beforeAll(async () => {
    stack = await startTestStack({ env: { MESSAGING_WORKER_INTERVAL_MS: '0' } });
  });
  afterAll(async () => {
    for (const { child } of workers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stack?.close();
  });

  it('a new worker reclaims the killed worker\'s leased batch after the lease; every message is delivered and reaches the carrier exactly once', async () => {
    // Arrange: 30 queued messages and a carrier that answers 3 s after recording each batch of 10
    const hqAdmin = await stack.login(demoUser('hq-admin').email);
    await stack.graphql(`mutation($id: ID!) { updateAccountSettings(id: $id, input: { clear: [SENDING_WINDOW], deliveryReceipts: true }) { id } }`, { id: demoAccount('hq').id }, hqAdmin);
    const sent = await stack.graphql(BULK, { input: { accountId: demoAccount('store-s1').id, to: Array.from({ length: 30 }, (_, i) => number(i)), body: 'Crash test' } }, hqAdmin);
    const ids: string[] = sent.data.sendBulk.messageIds;
    const count = async (sql: string) => Number((await stack.sql.query(sql, [ids])).rows[0].n);
    const first = startWorker(['--loopback-send-delay-ms=3000']);

    // Act 1: SIGKILL once one batch is SENT and the next one has just reached the carrier, unrecorded
    await until(
      async () =>
        (await count(`SELECT count(*) AS n FROM messaging.messages WHERE id = ANY($1) AND status <> 'QUEUED'`)) >= 10 &&
        (await count(
          `SELECT count(*) AS n FROM messaging.messages m JOIN messaging.loopback_carrier_calls c ON c.message_id = m.id
            WHERE m.id = ANY($1) AND m.status = 'QUEUED' AND c.accepted_at > now() - interval '1 second'`,
        )) > 0,
      'a batch in flight at the carrier',
      [first],
    );
    first.child.kill('SIGKILL');
    const killed = await first.exited;
    const { rows: inFlight } = await stack.sql.query(
      `SELECT m.id, m.lease_until > now() AS leased FROM messaging.messages m JOIN messaging.loopback_carrier_calls c ON c.message_id = m.id
        WHERE m.id = ANY($1) AND m.status = 'QUEUED'`,
      [ids],
    );
    const unclaimed = await count(`SELECT count(*) AS n FROM messaging.messages WHERE id = ANY($1) AND status = 'QUEUED' AND lease_until IS NULL`);

    // Act 2: another worker, at full speed, until every message has its delivery receipt; then a graceful stop
    const second = startWorker([]);
    await until(async () => (await count(`SELECT count(*) AS n FROM messaging.messages WHERE id = ANY($1) AND status = 'DELIVERED'`)) === ids.length, 'every message DELIVERED', [second]);
    second.child.kill('SIGTERM');
    const stopped = await second.exited;

    // Assert
    expect(sent.data.sendBulk.accepted).toBe(30);
    expect(killed.signal).toBe('SIGKILL');
    expect(inFlight).toHaveLength(10);
    expect(inFlight.every((m: { leased: boolean }) => m.leased)).toBe(true);
    expect(unclaimed).toBe(10);
    const { rows: carrier } = await stack.sql.query(
      `SELECT m.id, m.status, m.attempts, m.carrier_message_id, count(c.message_id)::int AS recorded, coalesce(max(c.calls), 0) AS calls
         FROM messaging.messages m LEFT JOIN messaging.loopback_carrier_calls c ON c.message_id = m.id
        WHERE m.id = ANY($1) GROUP BY m.id`,
      [ids],
    );
    expect(carrier).toHaveLength(30);
    expect(carrier.every((m: { recorded: number; status: string; carrier_message_id: string; id: string }) => m.recorded === 1 && m.status === 'DELIVERED' && m.carrier_message_id === `loop-${m.id}`)).toBe(true);
    const reclaimed = new Set(inFlight.map((m: { id: string }) => m.id));
    for (const m of carrier) expect({ id: m.id, calls: m.calls, attempts: m.attempts }).toEqual({ id: m.id, calls: reclaimed.has(m.id) ? 2 : 1, attempts: reclaimed.has(m.id) ? 2 : 1 });
    const strays = await stack.sql.query(`SELECT count(*)::int AS n FROM messaging.loopback_carrier_calls WHERE NOT (message_id = ANY($1))`, [ids]);
    expect(strays.rows[0].n).toBe(0);
    expect(stopped).toEqual({ code: 0, signal: null });
  });
});
