/**
 * `tsx scripts/run-messaging-worker.ts [--loopback-send-delay-ms=N]`: the messaging delivery
 * pipeline (SPEC M3) as its own process, beside or instead of the messaging subgraph's background job
 * (MESSAGING_WORKER_INTERVAL_MS=0 turns that one off). Any number may run: claims use
 * `FOR UPDATE SKIP LOCKED` with a lease of MESSAGING_WORKER_LEASE_SECONDS, and the rows of a worker
 * that dies are claimed again once the lease has passed. Each round settles the credit of due
 * scheduled sends, delivers up to MESSAGING_WORKER_BATCH_SIZE messages and applies due receipts; it
 * sleeps MESSAGING_WORKER_INTERVAL_MS (100 ms when 0) only when a round found nothing to do.
 * SIGTERM/SIGINT finish the current round, then exit.
 *
 * Needs DATABASE_URL, and BILLING_URL where billing listens (credit of due scheduled sends).
 * `--loopback-send-delay-ms=N` (loopback carrier only; tests and benchmarks) makes every carrier call
 * answer N ms after the messages were recorded as sent.
 */
import '@platform/telemetry/register';
import { ConfigError, loadConfig } from '@platform/config';
import { createLogger, Metrics, startMetricsServer, stopOnSignals } from '@platform/server';
import { createDeliveryWorker, runDeliveryLoop, service as messaging } from '@platform/messaging';

function parseArguments(argv: string[]): { loopbackSendDelayMs?: number } {
  const options: { loopbackSendDelayMs?: number } = {};
  const problems: string[] = [];
  for (const argument of argv) {
    const match = /^--loopback-send-delay-ms=(\d{1,7})$/.exec(argument);
    if (match) options.loopbackSendDelayMs = Number(match[1]);
    else problems.push(`unknown argument "${argument}" (accepted: --loopback-send-delay-ms=<milliseconds>)`);
  }
  if (problems.length) throw new ConfigError(problems);
  return options;
}

async function main(): Promise<void> {
  const carrierOverrides = parseArguments(process.argv.slice(2));
  const config = loadConfig();
  const problems: string[] = [];
  if (!config.databaseUrl) problems.push('DATABASE_URL is required to run the messaging worker');
  if (carrierOverrides.loopbackSendDelayMs !== undefined && config.messaging.carrier !== 'loopback') problems.push('--loopback-send-delay-ms needs MESSAGING_CARRIER=loopback');
  if (carrierOverrides.loopbackSendDelayMs !== undefined && config.nodeEnv === 'production') problems.push('--loopback-send-delay-ms is refused in production');
  if (problems.length) throw new ConfigError(problems);
  const logger = createLogger('messaging-worker', config.logLevel);
  const dataSource = messaging.createDataSource(config.databaseUrl!, { poolSize: Math.min(config.databasePoolSize, 3) });
  await dataSource.initialize();
  const intervalMs = config.messaging.workerIntervalMs || 100;
  const metrics = new Metrics();
  const loop = runDeliveryLoop(createDeliveryWorker(dataSource, config, logger, { ...carrierOverrides, metrics }), intervalMs, logger);
  logger.info({ pid: process.pid, intervalMs, batchSize: config.messaging.workerBatchSize, leaseSeconds: config.messaging.workerLeaseSeconds, carrier: config.messaging.carrier }, 'messaging worker running');

  // METRICS_PORT: /metrics and the /health liveness probe (containers, Kubernetes).
  const metricsServer = config.metrics.enabled && config.metrics.port !== null ? await startMetricsServer(metrics, config.metrics.port, config.metrics.host) : null;

  stopOnSignals(logger, async () => {
    await metricsServer?.close();
    await loop.stop();
    await dataSource.destroy();
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
