/**
 * The contract between messaging (caller) and billing (owner) for spending credit (SPEC B3, M2).
 * billing implements it as internal GraphQL mutations (@inaccessible: not in the public API)
 * that accept only a SERVICE principal; this package holds the HTTP client messaging uses.
 *
 * Semantics:
 * - reserve: atomically checks every limit on the chain (user limit incl. monthly renewal, every
 *   ancestor sub-account limit, the paying account's balance / postpaid ceiling) and holds
 *   `units`. Idempotent by `idempotencyKey`: a replay with the same parameters returns the same
 *   reservation; the same key with other parameters is refused (IDEMPOTENCY_KEY_REUSED).
 *   Refusal: INSUFFICIENT_CREDIT (with extensions.limit naming the binding limit).
 * - capture: turns (part of) a held reservation into ledger debits; the rest is released.
 *   Idempotent: capturing a captured reservation returns it unchanged.
 * - release: gives the held units back. Idempotent.
 * - Reservations neither captured nor released before `expiresAt` are released by a sweeper.
 */
export interface ReserveCreditInput {
  /** the sending account (spending entity) */
  accountId: string;
  /** the user who sends; null for API keys and system sends (no per-user limit) */
  userId: string | null;
  units: number;
  idempotencyKey: string;
  /** what the credit is for, e.g. a message batch id (kept on the ledger) */
  reference: string;
  /** how long the hold lasts before the sweeper releases it; default 300 s */
  holdSeconds?: number;
}

export type ReservationStatus = 'HELD' | 'CAPTURED' | 'RELEASED' | 'EXPIRED';

export interface CreditReservation {
  id: string;
  accountId: string;
  userId: string | null;
  units: number;
  capturedUnits: number;
  status: ReservationStatus;
  expiresAt: string;
}

export interface BillingClient {
  reserve(input: ReserveCreditInput): Promise<CreditReservation>;
  capture(reservationId: string, units?: number): Promise<CreditReservation>;
  release(reservationId: string): Promise<CreditReservation>;
}

/** Thrown by the client with the billing subgraph's extensions.code (e.g. INSUFFICIENT_CREDIT). */
export class BillingError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'BillingError';
  }
}
