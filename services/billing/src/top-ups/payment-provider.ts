import crypto from 'node:crypto';

export interface ChargeRequest {
  providerToken: string;
  units: number;
  amountMinor: number;
  currency: string;
  /** the provider charges once per key, however often it is retried */
  idempotencyKey: string;
}

export type ChargeResult = { status: 'SUCCEEDED'; providerReference: string } | { status: 'DECLINED'; reason: string };

/** SPEC B4: the payment provider behind top-ups. A real provider plugs in here. */
export interface PaymentProvider {
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

/** The token the fake provider always declines (tests and demos). */
export const FAKE_DECLINING_TOKEN = 'tok_decline';

/**
 * The built-in fake: succeeds, except for the declining token and for unit amounts listed in
 * BILLING_FAKE_DECLINE_UNITS. Same key, same answer.
 */
export class FakePaymentProvider implements PaymentProvider {
  private readonly answers = new Map<string, ChargeResult>();
  constructor(private readonly declineUnits: readonly number[] = []) {}

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
}
