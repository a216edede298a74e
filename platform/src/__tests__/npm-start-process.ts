import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@platform/testing';

const ROOT = path.join(__dirname, '..', '..', '..');

export interface StartedProcess {
  child: ChildProcess;
  gatewayUrl: string;
  /** the ports it was given: PORT and each subgraph's */
  ports: Record<string, number>;
  output: () => string;
}

/** Runs the same entry as `npm start` and waits for the line that prints the gateway URL. */
export async function start(databaseUrl: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<StartedProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', PORT: String(await freePort()), ...extraEnv };
  for (const name of ['HIERARCHY_PORT', 'IDENTITY_PORT', 'MESSAGING_PORT', 'BILLING_PORT']) env[name] = String(await freePort());
  const ports = Object.fromEntries(['PORT', 'HIERARCHY_PORT', 'IDENTITY_PORT', 'MESSAGING_PORT', 'BILLING_PORT'].map((name) => [name, Number(env[name])]));
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
  return { child, gatewayUrl, ports, output: () => output };
}

export async function stop(started: StartedProcess): Promise<number | null> {
  return new Promise((resolve) => {
    started.child.on('exit', (code) => resolve(code));
    started.child.kill('SIGINT');
  });
}
