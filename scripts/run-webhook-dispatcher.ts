/**
 * `tsx scripts/run-webhook-dispatcher.ts`: the webhook dispatcher (SPEC M10) as its own process,
 * besides or instead of the messaging subgraph's background job (any number may run at once; they
 * share the work through row claims). Relays every schema's outbox and sends due deliveries every
 * WEBHOOK_DISPATCH_INTERVAL_MS. SIGTERM/SIGINT finish the current round, then exit.
 */
import '@platform/telemetry/register';
import { ConfigError, loadConfig } from '@platform/config';
import { createLogger, Metrics, startMetricsServer, stopOnSignals } from '@platform/server';
import { service as messaging, startWebhookDispatcher } from '@platform/messaging';

async function main(): Promise<void> {
  const config = loadConfig();
  const problems: string[] = [];
  if (!config.databaseUrl) problems.push('DATABASE_URL is required to run the webhook dispatcher on its own');
  if (config.webhooks.dispatchIntervalMs <= 0) problems.push('WEBHOOK_DISPATCH_INTERVAL_MS must be greater than 0 for the dispatcher process');
  if (problems.length) throw new ConfigError(problems);
  const logger = createLogger('webhook-dispatcher', config.logLevel);
  const dataSource = messaging.createDataSource(config.databaseUrl!, { poolSize: Math.min(config.databasePoolSize, 5) });
  await dataSource.initialize();
  const metrics = new Metrics();
  const dispatcher = startWebhookDispatcher(dataSource, config, logger, metrics);
  logger.info({ intervalMs: config.webhooks.dispatchIntervalMs }, 'webhook dispatcher running');

  // METRICS_PORT: /metrics and the /health liveness probe (containers, Kubernetes).
  const metricsServer = config.metrics.enabled && config.metrics.port !== null ? await startMetricsServer(metrics, config.metrics.port, config.metrics.host) : null;

  stopOnSignals(logger, async () => {
    await metricsServer?.close();
    await dispatcher.stop();
    await dataSource.destroy();
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
