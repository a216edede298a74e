import { queryOne } from '@platform/db';
import type { Metrics, ServiceDependencies } from '@platform/server';

/** Credit held by reservations not yet captured or released (issue 16): a stuck send path shows here first. */
export function registerReservationMetrics(metrics: Metrics, { dataSource }: ServiceDependencies): void {
  const read = metrics.perScrape(() => queryOne<{ count: number; units: number }>(dataSource, `SELECT count(*)::int AS count, coalesce(sum(units - captured_units), 0)::int AS units FROM billing.reservations WHERE status = 'HELD'`));
  metrics.gauge({ name: 'credit_reservations_held', help: 'Reservations holding credit', async collect() { this.set((await read())?.count ?? 0); } });
  metrics.gauge({ name: 'credit_reservation_units_held', help: 'Credit units held by reservations', async collect() { this.set((await read())?.units ?? 0); } });
}
