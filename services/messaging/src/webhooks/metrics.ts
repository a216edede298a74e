import { queryOne } from '@platform/db';
import type { Metrics, ServiceDependencies } from '@platform/server';

/** The webhook backlog (issue 16): deliveries waiting, their oldest due attempt, and endpoints disabled after failures. */
export function registerWebhookMetrics(metrics: Metrics, { dataSource }: ServiceDependencies): void {
  const read = metrics.perScrape(() =>
    queryOne<{ pending: number; oldest: number | null; disabled: number }>(
      dataSource,
      `SELECT (SELECT count(*)::int FROM messaging.webhook_deliveries WHERE status = 'PENDING') AS pending,
              (SELECT extract(epoch FROM now() - min(next_attempt_at))::float8 FROM messaging.webhook_deliveries WHERE status = 'PENDING' AND next_attempt_at <= now()) AS oldest,
              (SELECT count(*)::int FROM messaging.webhook_endpoints WHERE status = 'DISABLED') AS disabled`,
    ));
  metrics.gauge({ name: 'webhook_deliveries_pending', help: 'Webhook deliveries not yet succeeded or given up', async collect() { this.set((await read())?.pending ?? 0); } });
  metrics.gauge({ name: 'webhook_delivery_oldest_due_seconds', help: 'How overdue the oldest due webhook attempt is (0 when none is due)', async collect() { this.set(Math.max(0, (await read())?.oldest ?? 0)); } });
  metrics.gauge({ name: 'webhook_endpoints_disabled', help: 'Endpoints disabled after repeated failures or 410 Gone', async collect() { this.set((await read())?.disabled ?? 0); } });
}
