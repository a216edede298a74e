import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { loadConfig } from '@platform/config';
import { createTestDatabase, type TestDatabase } from '@platform/db';
import { Pool } from 'pg';
import { postGraphQL } from '@platform/testing';

const ROOT = path.join(__dirname, '..', '..', '..');

/**
 * A free port below Linux's ephemeral range (32768+): the other suites' servers (port 0) and every
 * outbound connection take theirs from that range, so one picked here stays free until npm start binds it.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

interface StartedProcess {
  child: ChildProcess;
  gatewayUrl: string;
  output: () => string;
}

/** Runs the same entry as `npm start` and waits for the line that prints the gateway URL. */
async function start(databaseUrl: string): Promise<StartedProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', PORT: String(await freePort()) };
  for (const name of ['HIERARCHY_PORT', 'IDENTITY_PORT', 'MESSAGING_PORT', 'BILLING_PORT']) env[name] = String(await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const gatewayUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start did not print the gateway URL:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /gateway: (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.on('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output}`)));
  });
  return { child, gatewayUrl, output: () => output };
}

async function stop(started: StartedProcess): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.on('exit', (code) => resolve(code));
    started.child.kill('SIGINT');
  });
}

describe('the README walk-through: npm start, login, accountTree, Ctrl-C', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(loadConfig({ ...process.env, NODE_ENV: 'test' }).databaseUrl!);
  });
  afterAll(() => database.drop());

  it('serves the demo tree, stops cleanly on SIGINT, and loads the demo data only once across restarts', async () => {
    // Arrange
    const first = await start(database.url);

    // Act
    const login = await postGraphQL<{ login: { token: string } }>(first.gatewayUrl, {
      query: 'mutation { login(email: "hq.admin@retail.example", password: "demo-password") { token } }',
    });
    const tree = await postGraphQL<{ accountTree: { name: string; depth: number; messageCount: number; balance: number }[] }>(
      first.gatewayUrl,
      { query: '{ accountTree { name depth messageCount balance } }' },
      { authorization: `Bearer ${login.data!.login.token}` },
    );
    const firstExit = await stop(first);
    const second = await start(database.url);
    const secondExit = await stop(second);
    const sql = new Pool({ connectionString: database.url, max: 1 });
    const counts = await sql.query(`SELECT (SELECT count(*) FROM hierarchy.accounts)::int AS accounts, (SELECT count(*) FROM identity.users)::int AS users`);
    await sql.end();

    // Assert
    expect(first.gatewayUrl).toMatch(/^http:\/\/localhost:\d+\/graphql$/);
    expect(tree.data!.accountTree).toHaveLength(19);
    expect(tree.data!.accountTree[0]).toMatchObject({ name: 'Retail Chain HQ', depth: 0, balance: 100000 });
    expect(firstExit).toBe(0);
    expect(first.output()).toContain('stopped');
    expect(secondExit).toBe(0);
    expect(counts.rows[0]).toEqual({ accounts: 21, users: 5 });
  });
});
