import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from '@platform/testing';

jest.setTimeout(60_000);

const ROOT = path.join(__dirname, '..', '..', '..');

async function waitForHealth(url: string, child: ChildProcess, stderr: () => string): Promise<Response> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited (${child.exitCode}): ${stderr()}`);
    const response = await fetch(url).catch(() => null);
    if (response) return response;
    if (Date.now() > deadline) throw new Error(`no answer from ${url}: ${stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Containers and Kubernetes probe the processes without a GraphQL port through the METRICS_PORT listener. */
describe.each([
  ['delivery worker', 'scripts/run-messaging-worker.ts', 'carrier_requests_total'],
  ['webhook dispatcher', 'scripts/run-webhook-dispatcher.ts', 'webhook_attempts_total'],
])('%s process with METRICS_PORT', (_name, script, ownSeries) => {
  it('answers /health and /metrics (with its own series) on that port, then exits 0 on SIGTERM', async () => {
    // Arrange
    const port = await freePort();
    let stderr = '';
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', DATABASE_URL: process.env.DATABASE_URL, METRICS_PORT: String(port), METRICS_HOST: '127.0.0.1', MESSAGING_WORKER_INTERVAL_MS: '1000' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    try {
      // Act
      const health = await waitForHealth(`http://127.0.0.1:${port}/health`, child, () => stderr);
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      const other = await fetch(`http://127.0.0.1:${port}/graphql`);

      // Assert
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
      expect(metrics.status).toBe(200);
      const exposition = await metrics.text();
      expect(exposition).toMatch(/^process_resident_memory_bytes \d+/m);
      expect(exposition).toContain(`# TYPE ${ownSeries} counter`);
      expect(other.status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
