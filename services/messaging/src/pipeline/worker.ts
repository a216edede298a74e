import type { DataSource } from 'typeorm';
import { requirePrivateKey, type PlatformConfig } from '@platform/config';
import { prepared, queryRows, type Sql } from '@platform/db';
import { AppError } from '@platform/errors';
import { createBillingClient, MAX_CAPTURES_PER_CALL, type BillingClient, type CreditCaptureOutcome } from '@platform/billing-client';
import type { Logger, Metrics } from '@platform/server';
import { inLinkedSpan } from '@platform/telemetry';
import { recordActivity } from '@platform/audit';
import { loadAccountChains } from '@platform/authz';
import { SCHEMA } from '../data-source';
import { applyUsageChanges } from '../reporting/usage';
import { drainUsageOutbox } from '../reporting/usage-outbox';
import { createCarrier, type Carrier, type DeliveryReceipt } from './carrier';
import { measureCarrier } from './metrics';
import { publishStatusChanges, type StatusChange } from './status-events';
import { usageChanges, type UsageRow } from './usage-changes';

interface ClaimedMessage {
  id: string;
  recipient: string;
  sender_value: string;
  body: string;
  wants_receipt: boolean;
  /** of the send that queued it (null when tracing was off) */
  traceparent: string | null;
}

/**
 * The delivery pipeline (SPEC M3). The queue is messaging.messages itself:
 * 1. claim: due QUEUED rows are leased (`FOR UPDATE SKIP LOCKED`, lease_until) in one autocommitted
 *    statement, so concurrent workers never take the same rows and a killed worker's rows come back
 *    after the lease;
 * 2. the carrier is called with the message ids as idempotency keys;
 * 3. completion (QUEUED → SENT, only while still QUEUED) is one UPDATE.
 * Steps 2 and 3 run in a `messaging deliver` span that continues the traces of the sends that queued
 * the messages (their stored traceparent).
 * A message is claimed only once its batch's credit is captured (or it has none): a batch whose
 * capture fails waits for settleDueBatches, which captures it or fails it, so nothing is sent unpaid.
 * A worker killed between 2 and 3 leaves the rows QUEUED; the next claim calls the carrier again for
 * the same ids and the carrier does not send twice.
 */
export class DeliveryWorker {
  constructor(
    private readonly dataSource: DataSource,
    private readonly carrier: Carrier,
    private readonly billing: BillingClient,
    private readonly options: { batchSize: number; leaseSeconds: number; logger?: Logger },
  ) {}

  /** Claims, sends and records one batch; answers how many messages it sent. */
  async deliverBatch(): Promise<number> {
    const claimed = await queryRows<ClaimedMessage>(
      this.dataSource,
      `UPDATE messaging.messages SET lease_until = now() + make_interval(secs => $2), attempts = attempts + 1
        WHERE id IN (SELECT id FROM messaging.messages
                      WHERE status = 'QUEUED' AND send_at <= now() AND (lease_until IS NULL OR lease_until < now())
                        AND NOT EXISTS (SELECT 1 FROM messaging.send_batches b WHERE b.id = messages.batch_id AND b.credit_state = 'HELD')
                      ORDER BY send_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, recipient, sender_value, body, wants_receipt, traceparent`,
      [this.options.batchSize, this.options.leaseSeconds],
    );
    if (claimed.length === 0) return 0;
    return inLinkedSpan('messaging deliver', claimed.map((m) => m.traceparent), { 'messaging.batch.message_count': claimed.length, 'messaging.destination.name': this.carrier.name }, () => this.send(claimed));
  }

  /** Hands claimed messages to the carrier and records the outcome; answers how many it accepted. */
  private async send(claimed: ClaimedMessage[]): Promise<number> {
    const results = await this.carrier.send(
      claimed.map((m) => ({ messageId: m.id, recipient: m.recipient, sender: m.sender_value, body: m.body, wantsReceipt: m.wants_receipt })),
    );
    const accepted = results.filter((r) => r.accepted);
    const rejected = results.filter((r) => !r.accepted);
    await this.dataSource.transaction(async (tx) => {
      const changed: StatusChange[] = [];
      if (accepted.length) {
        const sent = await queryRows<StatusChange>(
          tx,
          `UPDATE messaging.messages m SET status = 'SENT', sent_at = now(), status_at = now(), carrier_message_id = r.carrier_id, lease_until = NULL
             FROM unnest($1::uuid[], $2::text[]) AS r(id, carrier_id)
            WHERE m.id = r.id AND m.status = 'QUEUED'
            RETURNING m.id, m.account_id`,
          [accepted.map((r) => r.messageId), accepted.map((r) => r.carrierMessageId)],
        );
        changed.push(...sent);
      }
      if (rejected.length) {
        const failed = await queryRows<UsageRow & StatusChange>(
          tx,
          `UPDATE messaging.messages m SET status = 'FAILED', status_at = now(), error_code = r.code, lease_until = NULL
             FROM unnest($1::uuid[], $2::text[]) AS r(id, code)
            WHERE m.id = r.id AND m.status = 'QUEUED'
            RETURNING m.id, m.account_id, m.user_id, m.sender_id, m.usage_day::text`,
          [rejected.map((r) => r.messageId), rejected.map((r) => r.errorCode ?? 'CARRIER_REJECTED')],
        );
        await applyUsageChanges(tx, usageChanges(failed, () => ({ messages: 0, parts: 0, delivered: 0, failed: 1, costUnits: 0 })));
        changed.push(...failed);
      }
      await publishStatusChanges(tx, changed, { previousStatus: 'QUEUED' });
    });
    return accepted.length;
  }

  /** Adds the usage changes sends queued to the rollups (reporting/usage-outbox.ts). */
  applyQueuedUsage(): Promise<number> {
    return drainUsageOutbox(this.dataSource, 1);
  }

  /** Applies the carrier's due delivery receipts (SENT → DELIVERED / FAILED / EXPIRED). */
  async applyDueReceipts(limit = 5000): Promise<number> {
    if (!this.carrier.takeDueReceipts) return 0;
    return this.dataSource.transaction(async (tx) => {
      const receipts = await this.carrier.takeDueReceipts!(tx, limit);
      await applyDeliveryReceipts(tx, receipts);
      return receipts.length;
    });
  }

  /**
   * Credit of batches whose time has come: captures the units of their non-cancelled messages (the
   * rest of the hold goes back), then queues their SCHEDULED messages. Every send's credit is
   * captured here, not by the send's request: the request reserves (the hold keeps every limit
   * exact), and this captures the due batches of a round in one call to billing, so a send costs
   * one round trip to billing instead of two. A batch billing refuses, or with nothing to capture,
   * is settled on its own (settleBatch).
   */
  async settleDueBatches(limit = MAX_CAPTURES_PER_CALL): Promise<number> {
    const batches = await queryRows<DueBatch>(
      this.dataSource,
      prepared(`SELECT b.id, b.account_id, b.user_id, b.reservation_id,
              (SELECT coalesce(sum(m.cost_units), 0)::int FROM messaging.messages m WHERE m.batch_id = b.id AND m.status <> 'CANCELLED') AS units,
              EXISTS (SELECT 1 FROM messaging.messages m WHERE m.batch_id = b.id AND m.status = 'SCHEDULED') AS scheduled
         FROM messaging.send_batches b
        WHERE b.credit_state = 'HELD' AND b.send_at <= now() ORDER BY b.send_at LIMIT $1`),
      [limit],
    );
    const toCapture = batches.filter((batch) => batch.units > 0);
    let outcomes: CreditCaptureOutcome[] = [];
    try {
      if (toCapture.length) outcomes = await this.billing.captureMany(toCapture.map((batch) => ({ reservationId: batch.reservation_id, units: batch.units })));
    } catch (error) {
      this.options.logger?.warn({ err: error, batches: toCapture.length }, 'credit capture failed; retried next round');
      return batches.length;
    }
    const captured = toCapture.filter((_batch, index) => outcomes[index]?.reservation);
    await markSettled(this.dataSource, captured, 'CAPTURED');
    for (const batch of batches.filter((b) => !captured.includes(b))) {
      try {
        await settleBatch(this.dataSource, this.billing, batch);
      } catch (error) {
        this.options.logger?.warn({ err: error, batchId: batch.id }, 'credit settlement failed; retried next round');
      }
    }
    return batches.length;
  }
}

interface DueBatch {
  id: string;
  account_id: string;
  user_id: string | null;
  reservation_id: string;
  units: number;
  /** holds SCHEDULED messages, queued once the batch is settled */
  scheduled: boolean;
}

/**
 * Marks batches settled (when still HELD) and queues their SCHEDULED messages with their status
 * events, in one transaction; batches without scheduled messages (immediate sends) in one statement.
 */
async function markSettled(dataSource: DataSource, batches: DueBatch[], state: 'CAPTURED' | 'RELEASED'): Promise<void> {
  const immediate = batches.filter((batch) => !batch.scheduled).map((batch) => batch.id);
  if (immediate.length) {
    await dataSource.query(prepared(`UPDATE messaging.send_batches SET credit_state = $2 WHERE id = ANY($1::uuid[]) AND credit_state = 'HELD'`), [immediate, state]);
  }
  const batchIds = batches.filter((batch) => batch.scheduled).map((batch) => batch.id);
  if (batchIds.length === 0) return;
  await dataSource.transaction(async (tx) => {
    const settled = await queryRows<{ id: string }>(
      tx,
      `UPDATE messaging.send_batches SET credit_state = $2 WHERE id = ANY($1::uuid[]) AND credit_state = 'HELD' RETURNING id`,
      [batchIds, state],
    );
    if (settled.length === 0) return;
    const queued = await queryRows<StatusChange>(
      tx,
      `UPDATE messaging.messages m SET status = 'QUEUED', status_at = now() WHERE m.batch_id = ANY($1::uuid[]) AND m.status = 'SCHEDULED' RETURNING m.id, m.account_id`,
      [settled.map((row) => row.id)],
    );
    await publishStatusChanges(tx, queued, { previousStatus: 'SCHEDULED' });
  });
}

/** Applies receipts in the caller's transaction, with their status events; a receipt for a message no longer SENT changes nothing. */
export async function applyDeliveryReceipts(tx: Sql, receipts: DeliveryReceipt[]): Promise<void> {
  if (receipts.length === 0) return;
  const changed = await queryRows<UsageRow & StatusChange & { status: string }>(
    tx,
    `UPDATE messaging.messages m SET status = r.outcome, status_at = now(),
            error_code = CASE WHEN r.outcome = 'DELIVERED' THEN NULL ELSE coalesce(r.code, 'DELIVERY_' || r.outcome) END
       FROM unnest($1::uuid[], $2::text[], $3::text[]) AS r(id, outcome, code)
      WHERE m.id = r.id AND m.status = 'SENT'
      RETURNING m.id, m.account_id, m.user_id, m.sender_id, m.usage_day::text, m.status`,
    [receipts.map((r) => r.messageId), receipts.map((r) => r.outcome), receipts.map((r) => r.errorCode ?? null)],
  );
  await applyUsageChanges(
    tx,
    usageChanges(changed, (row) => {
      const delivered = row.status === 'DELIVERED' ? 1 : 0;
      return { messages: 0, parts: 0, delivered, failed: 1 - delivered, costUnits: 0 };
    }),
  );
  await publishStatusChanges(tx, changed, { previousStatus: 'SENT' });
}

/**
 * Billing answers that will not change by retrying: the batch's credit can never be captured.
 * Anything else (billing unreachable, an internal error) is retried next round.
 */
const isFinalRefusal = (error: unknown): error is AppError =>
  error instanceof AppError && !['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE', 'UNAUTHENTICATED'].includes(error.code);

/** One batch's settlement: releases a hold with nothing to capture, reserves again once when the hold expired, or fails the batch. */
async function settleBatch(dataSource: DataSource, billing: BillingClient, batch: DueBatch): Promise<void> {
  const { units } = batch;
  let state: 'CAPTURED' | 'RELEASED' | 'FAILED' = 'CAPTURED';
  let refusal: AppError | null = null;
  if (units === 0) {
    await billing.release(batch.reservation_id);
    state = 'RELEASED';
  } else {
    try {
      await billing.capture(batch.reservation_id, units);
    } catch (error) {
      if (!isFinalRefusal(error)) throw error;
      refusal = error;
      if (error.code === 'RESERVATION_EXPIRED') {
        // A hold lasts at most a day: a send scheduled further ahead reserves again when it is due.
        try {
          const again = await billing.reserve({ accountId: batch.account_id, userId: batch.user_id, units, idempotencyKey: `due:${batch.id}`, reference: `send:${batch.id}` });
          await billing.capture(again.id, units);
          refusal = null;
        } catch (retry) {
          if (!isFinalRefusal(retry)) throw retry;
          refusal = retry;
        }
      }
      if (refusal) state = 'FAILED';
    }
  }
  if (state !== 'FAILED') return markSettled(dataSource, [batch], state);
  await dataSource.transaction(async (tx) => {
    const [settled] = await queryRows<{ id: string }>(
      tx,
      `UPDATE messaging.send_batches SET credit_state = 'FAILED' WHERE id = $1 AND credit_state = 'HELD' RETURNING id`,
      [batch.id],
    );
    if (!settled) return;
    // Terminal: the batch's messages not sent yet are never sent (delivery waits for the capture).
    const errorCode = refusal!.code === 'INSUFFICIENT_CREDIT' ? 'INSUFFICIENT_CREDIT' : 'CREDIT_NOT_CAPTURED';
    const failed = await queryRows<UsageRow & StatusChange>(
      tx,
      `UPDATE messaging.messages m SET status = 'FAILED', status_at = now(), error_code = $2, lease_until = NULL
         FROM (SELECT id, status FROM messaging.messages WHERE batch_id = $1 AND status IN ('SCHEDULED', 'QUEUED') FOR UPDATE) before
        WHERE m.id = before.id
        RETURNING m.id, m.account_id, before.status AS previous_status, m.user_id, m.sender_id, m.usage_day::text`,
      [batch.id, errorCode],
    );
    await applyUsageChanges(tx, usageChanges(failed, () => ({ messages: 0, parts: 0, delivered: 0, failed: 1, costUnits: 0 })));
    await publishStatusChanges(tx, failed);
    const chain = (await loadAccountChains(tx, [batch.account_id])).get(batch.account_id);
    await recordActivity(tx, { schema: SCHEMA, principal: WORKER_PRINCIPAL, chain: chain ?? null }, 'settleSendBatch', {
      targetType: 'SendBatch',
      targetId: batch.id,
      before: { creditState: 'HELD' },
      after: { creditState: 'FAILED', errorCode, billingCode: refusal!.code, failedMessages: failed.length },
    });
  });
}

const WORKER_PRINCIPAL = { kind: 'SERVICE', id: 'messaging-worker', actingAccountId: null } as const;

/** `options.metrics`: the process's metrics, where the carrier's calls are counted; `loopbackSendDelayMs`: see LoopbackOptions.sendDelayMs. */
export function createDeliveryWorker(dataSource: DataSource, config: PlatformConfig, logger?: Logger, options: { loopbackSendDelayMs?: number; metrics?: Metrics } = {}): DeliveryWorker {
  const billing = createBillingClient({ url: config.subgraphUrls.billing, privateKey: requirePrivateKey(config, 'messaging'), ttlSeconds: config.principalTokens.ttlSeconds });
  const carrier = createCarrier(dataSource, config.messaging, { loopbackSendDelayMs: options.loopbackSendDelayMs });
  return new DeliveryWorker(dataSource, options.metrics ? measureCarrier(carrier, options.metrics) : carrier, billing, {
    batchSize: config.messaging.workerBatchSize,
    leaseSeconds: config.messaging.workerLeaseSeconds,
    logger,
  });
}

/** Runs the pipeline until stopped: settle due credit, deliver, apply receipts; sleeps only when idle. */
export function runDeliveryLoop(worker: DeliveryWorker, intervalMs: number, logger?: Logger): { stop(): Promise<void> } {
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      let busy = 0;
      try {
        await worker.settleDueBatches();
        busy += await worker.deliverBatch();
        busy += await worker.applyDueReceipts();
        busy += await worker.applyQueuedUsage();
      } catch (error) {
        logger?.error({ err: error }, 'delivery round failed');
      }
      if (busy === 0 && !stopped) await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, intervalMs);
      });
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}

export function startMessagingBackgroundJobs(dataSource: DataSource, config: PlatformConfig, logger: Logger, metrics?: Metrics): { stop(): Promise<void> } {
  if (config.messaging.workerIntervalMs === 0) return { stop: async () => {} };
  return runDeliveryLoop(createDeliveryWorker(dataSource, config, logger, { metrics }), config.messaging.workerIntervalMs, logger);
}
