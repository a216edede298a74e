import crypto from 'node:crypto';

import type { MessagingSettings } from '@platform/config';
import { queryRows, type Sql } from '@platform/db';

/** One SMS handed to a carrier; `messageId` is the idempotency key of the call (SPEC M3). */
export interface OutboundSms {
  messageId: string;
  recipient: string;
  sender: string;
  body: string;
  wantsReceipt: boolean;
}

export interface CarrierAcceptance {
  messageId: string;
  carrierMessageId: string;
  accepted: boolean;
  errorCode?: string;
}

export type DeliveryOutcome = 'DELIVERED' | 'FAILED' | 'EXPIRED';

export interface DeliveryReceipt {
  messageId: string;
  outcome: DeliveryOutcome;
  /** the carrier's reason of a FAILED or EXPIRED outcome; DELIVERY_FAILED / DELIVERY_EXPIRED when it gives none */
  errorCode?: string;
}

/**
 * The provider interface. `send` must be idempotent by message id: a worker that dies after the
 * call but before recording it calls again after its lease expires, and the carrier must not send twice.
 */
export interface Carrier {
  readonly name: string;
  send(messages: OutboundSms[]): Promise<CarrierAcceptance[]>;
  /**
   * Carriers that keep their receipts in PostgreSQL (the loopback) hand over the due ones inside the
   * caller's transaction, so a receipt is applied exactly once. HTTP providers push receipts instead.
   */
  takeDueReceipts?(tx: Sql, limit: number): Promise<DeliveryReceipt[]>;
}

export interface LoopbackOptions {
  receiptDelayMs: number;
  failurePercent: number;
  /**
   * A slow carrier (tests, benchmarks): each call answers this long after the messages were
   * recorded, i.e. after they count as sent, so a worker killed meanwhile has sent without knowing.
   */
  sendDelayMs?: number;
}

/**
 * The built-in loopback carrier (the default): records each message once in
 * messaging.loopback_carrier_calls (a repeated call for the same message id only counts `calls`),
 * and produces a receipt after `receiptDelayMs`, failing or expiring `failurePercent` % of messages.
 */
export class LoopbackCarrier implements Carrier {
  readonly name = 'loopback';

  constructor(
    private readonly db: Sql,
    private readonly options: LoopbackOptions,
  ) {}

  async send(messages: OutboundSms[]): Promise<CarrierAcceptance[]> {
    if (messages.length === 0) return [];
    const outcomes = messages.map(() => {
      if (Math.random() * 100 >= this.options.failurePercent) return 'DELIVERED';
      return Math.random() < 0.5 ? 'FAILED' : 'EXPIRED';
    });
    const rows = await queryRows<{ message_id: string; carrier_message_id: string }>(
      this.db,
      `INSERT INTO messaging.loopback_carrier_calls (message_id, carrier_message_id, recipient, sender, body, wants_receipt, receipt_due_at, outcome)
       SELECT m.id, 'loop-' || m.id, m.recipient, m.sender, m.body, m.wants_receipt, now() + make_interval(secs => $7::float8 / 1000), m.outcome
         FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[]) AS m(id, recipient, sender, body, wants_receipt, outcome)
       ON CONFLICT (message_id) DO UPDATE SET calls = messaging.loopback_carrier_calls.calls + 1
       RETURNING message_id, carrier_message_id`,
      [
        messages.map((m) => m.messageId),
        messages.map((m) => m.recipient),
        messages.map((m) => m.sender),
        messages.map((m) => m.body),
        messages.map((m) => m.wantsReceipt),
        outcomes,
        this.options.receiptDelayMs,
      ],
    );
    if (this.options.sendDelayMs) await new Promise((resolve) => setTimeout(resolve, this.options.sendDelayMs));
    return rows.map((r) => ({ messageId: r.message_id, carrierMessageId: r.carrier_message_id, accepted: true }));
  }

  /**
   * A receipt waits while its message is still QUEUED: the carrier may have it before the worker has
   * recorded SENT (a slow answer, or a worker killed in between whose lease has yet to pass), and a
   * receipt handed over then would be lost (receipts change only SENT messages).
   */
  async takeDueReceipts(tx: Sql, limit: number): Promise<DeliveryReceipt[]> {
    // queryRows: TypeORM answers an UPDATE … RETURNING with [rows, count]
    const rows = await queryRows<{ message_id: string; outcome: DeliveryOutcome }>(
      tx,
      `UPDATE messaging.loopback_carrier_calls SET receipt_reported_at = now()
        WHERE message_id IN (SELECT c.message_id FROM messaging.loopback_carrier_calls c
                               JOIN messaging.messages m ON m.id = c.message_id AND m.status <> 'QUEUED'
                              WHERE c.receipt_reported_at IS NULL AND c.wants_receipt AND c.receipt_due_at <= now()
                              ORDER BY c.receipt_due_at LIMIT $1 FOR UPDATE OF c SKIP LOCKED)
        RETURNING message_id, outcome`,
      [limit],
    );
    return rows.map((r) => ({ messageId: r.message_id, outcome: r.outcome }));
  }
}

/**
 * A real provider over HTTP: POSTs `{ messages: [{ id, to, from, body, receipt }] }` with the message ids
 * as idempotency keys and expects `{ results: [{ id, providerId, accepted, error? }] }`.
 */
export class HttpCarrier implements Carrier {
  readonly name = 'http';
  constructor(private readonly url: string) {}

  async send(messages: OutboundSms[]): Promise<CarrierAcceptance[]> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.createHash('sha256').update(messages.map((m) => m.messageId).join(',')).digest('hex') },
      body: JSON.stringify({ messages: messages.map((m) => ({ id: m.messageId, to: m.recipient, from: m.sender, body: m.body, receipt: m.wantsReceipt })) }),
    });
    if (!response.ok) throw new Error(`carrier answered ${response.status}`);
    const body = (await response.json()) as { results: { id: string; providerId: string; accepted: boolean; error?: string }[] };
    return body.results.map((r) => ({ messageId: r.id, carrierMessageId: r.providerId, accepted: r.accepted, errorCode: r.error }));
  }
}

/** `overrides.loopbackSendDelayMs`: see LoopbackOptions.sendDelayMs (the worker's --loopback-send-delay-ms). */
export function createCarrier(db: Sql, settings: MessagingSettings, overrides: { loopbackSendDelayMs?: number } = {}): Carrier {
  if (settings.carrier === 'http') return new HttpCarrier(settings.carrierHttpUrl!);
  return new LoopbackCarrier(db, {
    receiptDelayMs: settings.loopbackReceiptDelayMs,
    failurePercent: settings.loopbackFailurePercent,
    sendDelayMs: overrides.loopbackSendDelayMs,
  });
}
