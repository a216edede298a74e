import { queryOne } from '@platform/db';
import type { Metrics, ServiceDependencies } from '@platform/server';

/** The delivery queue as the operations team watches it (issue 16): its depth and the age of its oldest due message. */
export function registerQueueMetrics(metrics: Metrics, { dataSource }: ServiceDependencies): void {
  const read = metrics.perScrape(() =>
    queryOne<{ depth: number; oldest: number | null }>(
      dataSource,
      `SELECT count(*)::int AS depth, extract(epoch FROM now() - min(send_at))::float8 AS oldest
         FROM messaging.messages WHERE status = 'QUEUED' AND send_at <= now()`,
    ));
  metrics.gauge({
    name: 'delivery_queue_messages',
    help: 'Messages due for delivery and not yet handed to the carrier',
    async collect() {
      this.set((await read())?.depth ?? 0);
    },
  });
  metrics.gauge({
    name: 'delivery_queue_oldest_seconds',
    help: 'Age of the oldest message due for delivery (0 when the queue is empty)',
    async collect() {
      this.set((await read())?.oldest ?? 0);
    },
  });
}
