import crypto from 'node:crypto';
import type { PlatformConfig } from '@platform/config';
import { AppError } from '@platform/errors';

export interface ChargeRequest {
  providerToken: string;
  units: number;
  amountMinor: number;
  currency: string;
  /** the provider charges once per key, however often it is retried */
  idempotencyKey: string;
}

export type ChargeResult = { status: 'SUCCEEDED'; providerReference: string } | { status: 'DECLINED'; reason: string };

/** What the provider's callback reports: an invoice paid outside the platform (bank transfer, payment link). */
export interface InvoicePaymentNotice {
  /** the provider's event id, the same on every retry of the callback */
  eventId: string;
  invoiceId: string;
  amountMinor: number;
  currency: string;
}

/** The header of a payment callback that carries the provider's signature. */
export const PAYMENT_SIGNATURE_HEADER = 'x-payment-signature';

/** SPEC B4, O3: the payment provider behind top-ups and invoice payments. A real provider plugs in here. */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
  /**
   * The notice of a payment callback (its raw body and PAYMENT_SIGNATURE_HEADER), or null when
   * the signature does not prove that the provider sent it (nothing in it may then be trusted).
   * A body the provider did sign but that is not a notice is refused with BAD_REQUEST.
   */
  verifyCallback(rawBody: string, signature: string | undefined, nowMs?: number): InvoicePaymentNotice | null;
}

/** The token the fake provider always declines (tests and demos). */
export const FAKE_DECLINING_TOKEN = 'tok_decline';

/** How old a signed callback may be (replays of older captures are refused by signature). */
const CALLBACK_TOLERANCE_SECONDS = 300;

/**
 * The fake provider's callback signing secret, derived from INTERNAL_SIGNING_SECRET (a real
 * provider's secret comes from its dashboard and would have a variable of its own).
 */
export function fakeProviderCallbackSecret(config: PlatformConfig): string {
  return crypto.createHmac('sha256', config.internalSigningSecret).update('billing:fake-payment-provider:callbacks').digest('hex');
}

const hmac = (secret: string, timestamp: number, rawBody: string) => crypto.createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');

/**
 * The built-in fake: succeeds, except for the declining token and for unit amounts listed in
 * BILLING_FAKE_DECLINE_UNITS. Same key, same answer. Its callbacks are signed like common
 * providers' webhooks: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`.
 */
export class FakePaymentProvider implements PaymentProvider {
  private readonly answers = new Map<string, ChargeResult>();
  constructor(
    private readonly declineUnits: readonly number[],
    private readonly callbackSecret: string,
  ) {}

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const previous = this.answers.get(request.idempotencyKey);
    if (previous) return previous;
    let result: ChargeResult;
    if (request.providerToken === FAKE_DECLINING_TOKEN) result = { status: 'DECLINED', reason: 'card_declined' };
    else if (this.declineUnits.includes(request.units)) result = { status: 'DECLINED', reason: 'amount_declined' };
    else result = { status: 'SUCCEEDED', providerReference: `fake_ch_${crypto.randomBytes(8).toString('hex')}` };
    this.answers.set(request.idempotencyKey, result);
    return result;
  }

  /** The PAYMENT_SIGNATURE_HEADER value the fake provider sends with `rawBody` (tests and demos post callbacks with it). */
  sign(rawBody: string, nowMs = Date.now()): string {
    const timestamp = Math.floor(nowMs / 1000);
    return `t=${timestamp},v1=${hmac(this.callbackSecret, timestamp, rawBody)}`;
  }

  verifyCallback(rawBody: string, signature: string | undefined, nowMs = Date.now()): InvoicePaymentNotice | null {
    const parts = new Map((signature ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]));
    const timestamp = Number(parts.get('t'));
    const given = parts.get('v1') ?? '';
    if (!Number.isInteger(timestamp) || Math.abs(nowMs / 1000 - timestamp) > CALLBACK_TOLERANCE_SECONDS || !/^[0-9a-f]{64}$/.test(given)) return null;
    if (!crypto.timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(hmac(this.callbackSecret, timestamp, rawBody), 'hex'))) return null;
    return noticeOf(rawBody);
  }
}

/** The fake provider's body: `{ "id": "evt_…", "type": "invoice.paid", "invoiceId", "amountMinor", "currency" }`. */
function noticeOf(rawBody: string): InvoicePaymentNotice {
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(rawBody);
  } catch {
    throw new AppError('BAD_REQUEST', 'The callback body is not JSON');
  }
  const { id, type, invoiceId, amountMinor, currency } = body ?? {};
  if (type !== 'invoice.paid' || typeof id !== 'string' || !/^[\x21-\x7e]{1,200}$/.test(id) || typeof invoiceId !== 'string' || !Number.isInteger(amountMinor) || typeof currency !== 'string') {
    throw new AppError('BAD_REQUEST', 'The callback is not an invoice.paid event with id, invoiceId, amountMinor and currency');
  }
  return { eventId: id, invoiceId, amountMinor: amountMinor as number, currency };
}

const providers = new WeakMap<PlatformConfig, PaymentProvider>();

/** One payment provider per process configuration (the fake keeps its idempotency answers in memory). */
export function paymentProviderFor(config: PlatformConfig): PaymentProvider {
  let provider = providers.get(config);
  if (!provider) {
    provider = new FakePaymentProvider(config.billing.fakeProviderDeclineUnits, fakeProviderCallbackSecret(config));
    providers.set(config, provider);
  }
  return provider;
}
