import type { DataSource } from 'typeorm';
import { AccessControl, type Principal } from '@platform/authz';
import type { PlatformConfig } from '@platform/config';
import type { Logger } from '@platform/server';
import { CreditService } from './credit/service';
import { issueEndedPeriods } from './invoices/service';
import { paymentProviderFor } from './top-ups/payment-provider';
import { TopUpService } from './top-ups/service';

const SWEEPER: Principal = { kind: 'SERVICE', id: 'billing-sweeper', actingAccountId: null, sessionId: null };

export interface BillingSweepResult {
  releasedReservations: number;
  renewedUserLimits: number;
  automaticTopUps: number;
  issuedInvoices: number;
}

/**
 * One pass of billing's background work (callable from tests): releases expired reservations,
 * renews monthly user limits whose period has ended, runs due automatic top-ups, issues the
 * invoices of ended periods of postpaid trees. Safe to run in several processes at once (SKIP
 * LOCKED, row locks, unique keys per period and per pending top-up).
 */
export async function sweepBilling(dataSource: DataSource, config: PlatformConfig): Promise<BillingSweepResult> {
  const access = new AccessControl(SWEEPER, dataSource);
  const credit = new CreditService(dataSource, (id) => access.chains.load(id));
  const releasedReservations = await credit.releaseExpired();
  const renewedUserLimits = await credit.renewDueUserLimits();
  const automaticTopUps = (await new TopUpService(dataSource, paymentProviderFor(config), config.billing).runAutoTopUps()).length;
  const issuedInvoices = await issueEndedPeriods(dataSource, config.billing);
  return { releasedReservations, renewedUserLimits, automaticTopUps, issuedInvoices };
}

/**
 * The timer started with the billing subgraph (shared/testing's startPlatform, used by npm start
 * and the test kit). BILLING_SWEEP_INTERVAL_MS=0 turns it off. Ticks never overlap.
 */
export function startBillingSweeper(dataSource: DataSource, config: PlatformConfig, logger: Logger): { stop(): Promise<void> } {
  const interval = config.billing.sweepIntervalMs;
  if (interval <= 0) return { stop: async () => {} };
  let running: Promise<void> | null = null;
  let stopped = false;
  const timer = setInterval(() => {
    if (running || stopped) return;
    running = sweepBilling(dataSource, config)
      .then((result) => {
        if (result.releasedReservations || result.renewedUserLimits || result.automaticTopUps || result.issuedInvoices) logger.info(result, 'billing sweep');
      })
      .catch((error) => logger.error({ err: error }, 'billing sweep failed'))
      .finally(() => {
        running = null;
      });
  }, interval);
  timer.unref();
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
