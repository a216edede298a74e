/**
 * The contract between messaging (caller) and billing (owner) for spending credit (SPEC B3, M2).
 * billing implements it as internal GraphQL mutations (@inaccessible: not in the public API)
 * that accept only a SERVICE principal, and `reserve` (once per send) and `captureMany` (once per
 * delivery-worker round) also as internal calls outside GraphQL (`POST /internal/reserveCredit`,
 * `/internal/captureCredits` of @platform/server, issue 19), which this client uses; this package
 * holds the HTTP client messaging uses.
 *
 * Semantics:
 * - reserve: atomically checks every limit on the chain (user limit incl. monthly renewal, every
 *   ancestor sub-account limit, the paying account's balance / postpaid ceiling) and holds
 *   `units`. Idempotent by `idempotencyKey`: a replay with the same parameters returns the same
 *   reservation; the same key with other parameters is refused (IDEMPOTENCY_KEY_REUSED).
 *   A replay never returns a reservation that no longer holds credit: RESERVATION_RELEASED or
 *   RESERVATION_EXPIRED instead (a new attempt needs a new key). With `accountPath`, the account's
 *   chain must still be that one (CHAIN_CHANGED, retryable, otherwise).
 *   Refusal: INSUFFICIENT_CREDIT (with extensions.limit naming the binding limit).
 * - capture: turns (part of) a held reservation into ledger debits; the rest is released.
 *   Idempotent: capturing a captured reservation returns it unchanged; a released or expired one
 *   is refused (RESERVATION_RELEASED / RESERVATION_EXPIRED).
 * - captureMany: captures of many reservations in one call (at most 500; those held in one statement,
 *   each hot row moved once by their sum); each answers for itself (its reservation, or its refusal as
 *   an AppError), as capture would.
 * - release: gives the held units back. Idempotent.
 * - Reservations neither captured nor released before `expiresAt` are released by a sweeper.
 */
import http from 'node:http';
import https from 'node:https';
import { PRINCIPAL_HEADER, PrincipalSigner, serviceIssuer, type Principal } from '@platform/authz';
import type { Ed25519Jwk } from '@platform/config';
import { AppError } from '@platform/errors';
import { internalCallPath } from '@platform/server';

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
  /**
   * The account's chain (root first, ending with the account) the caller decided on. Billing
   * reserves on that chain or refuses with CHAIN_CHANGED (retryable) when the account has moved.
   */
  accountPath?: string[] | null;
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

export interface CreditCapture {
  reservationId: string;
  /** default: all held units */
  units?: number;
}

export type CreditCaptureOutcome = { reservationId: string } & ({ reservation: CreditReservation; error?: undefined } | { reservation?: undefined; error: AppError });

/** The most reservations one captureMany call takes. */
export const MAX_CAPTURES_PER_CALL = 500;

export interface BillingClient {
  reserve(input: ReserveCreditInput): Promise<CreditReservation>;
  capture(reservationId: string, units?: number): Promise<CreditReservation>;
  captureMany(captures: CreditCapture[]): Promise<CreditCaptureOutcome[]>;
  release(reservationId: string): Promise<CreditReservation>;
}

export interface BillingClientOptions {
  /** the billing subgraph's GraphQL URL */
  url: string;
  /** the calling service's own private key (MESSAGING_SERVICE_PRIVATE_KEY): billing accepts it only as that service */
  privateKey: Ed25519Jwk;
  /** lifetime of each request's principal token; default 30 s */
  ttlSeconds?: number;
  /** the SERVICE principal's id; default 'messaging' */
  serviceName?: string;
}

// Clients are created per request; the imported key is kept per key object (the process's config).
const signers = new WeakMap<Ed25519Jwk, Map<string, Promise<PrincipalSigner>>>();
function signerFor(privateKey: Ed25519Jwk, service: string, ttlSeconds: number): Promise<PrincipalSigner> {
  const byService = signers.get(privateKey) ?? new Map<string, Promise<PrincipalSigner>>();
  signers.set(privateKey, byService);
  const cacheKey = `${service}:${ttlSeconds}`;
  let signer = byService.get(cacheKey);
  if (!signer) {
    signer = PrincipalSigner.create(privateKey, serviceIssuer(service), ttlSeconds);
    byService.set(cacheKey, signer);
  }
  return signer;
}

// As Node's global agents: connections kept alive, idle ones closed after 5 s (before billing's 65 s keep-alive timeout).
const agents = {
  'http:': new http.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 }),
  'https:': new https.Agent({ keepAlive: true, scheduling: 'lifo', timeout: 5_000 }),
};

/** One POST with node:http: Node's fetch costs ~4× the CPU per call (two calls per send). */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const agent = agents[target.protocol as keyof typeof agents];
    if (!agent) return reject(new TypeError(`Unsupported protocol ${target.protocol}`));
    const payload = Buffer.from(body);
    const request = (target.protocol === 'https:' ? https : http).request(target, { method: 'POST', agent, headers: { ...headers, 'content-length': payload.length } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(payload);
  });
}

const RESERVATION_FIELDS = 'id accountId userId units capturedUnits status expiresAt';

/**
 * The HTTP client of the contract above. Each call is one GraphQL request to the billing subgraph
 * signed as a SERVICE principal (never through the gateway: the mutations are @inaccessible there).
 * Refusals throw billing's registered AppError (same code and extensions).
 */
export function createBillingClient(options: BillingClientOptions): BillingClient {
  const principal: Principal = { kind: 'SERVICE', id: options.serviceName ?? 'messaging', actingAccountId: null, sessionId: null };
  const signer = signerFor(options.privateKey, principal.id!, options.ttlSeconds ?? 30);
  /** One signed POST to `url`; its `data` (the GraphQL answer's, or an internal call's), or billing's refusal thrown. */
  const request = async <T>(url: string, body: unknown): Promise<T | null | undefined> => {
    const response = await post(url, { 'content-type': 'application/json', [PRINCIPAL_HEADER]: await (await signer).sign(principal, 'billing') }, JSON.stringify(body));
    const { text } = response;
    let answer: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
    try {
      answer = JSON.parse(text);
    } catch {
      throw new AppError('INTERNAL_SERVER_ERROR', `Billing answered ${response.status} with a non-JSON body`);
    }
    const error = answer.errors?.[0];
    if (error) throw AppError.fromRemote(error);
    return answer.data;
  };
  const call = async <T = CreditReservation>(query: string, variables: Record<string, unknown>, field: string): Promise<T> => {
    const result = (await request<Record<string, T | null>>(options.url, { query, variables }))?.[field];
    if (!result) throw new AppError('INTERNAL_SERVER_ERROR', `Billing answered without ${field}`);
    return result;
  };
  const reserveUrl = new URL(internalCallPath('reserveCredit'), options.url).href;
  const captureManyUrl = new URL(internalCallPath('captureCredits'), options.url).href;
  return {
    reserve: async (input) => {
      const reservation = await request<CreditReservation>(reserveUrl, { input });
      if (!reservation) throw new AppError('INTERNAL_SERVER_ERROR', 'Billing answered without a reservation');
      return reservation;
    },
    capture: (reservationId, units) =>
      call(
        `mutation Capture($id: ID!, $units: Int) { captureCredit(reservationId: $id, units: $units) { ${RESERVATION_FIELDS} } }`,
        { id: reservationId, units: units ?? null },
        'captureCredit',
      ),
    captureMany: async (captures) => {
      const outcomes = await request<{ reservationId: string; reservation: CreditReservation | null; errorCode: string | null; errorMessage: string | null }[]>(captureManyUrl, {
        captures: captures.map(({ reservationId, units }) => ({ reservationId, units: units ?? null })),
      });
      if (!outcomes) throw new AppError('INTERNAL_SERVER_ERROR', 'Billing answered without captureCredits');
      return outcomes.map(({ reservationId, reservation, errorCode, errorMessage }) =>
        reservation ? { reservationId, reservation } : { reservationId, error: AppError.fromRemote({ message: errorMessage ?? 'Capture refused', extensions: { code: errorCode } }) },
      );
    },
    release: (reservationId) =>
      call(`mutation Release($id: ID!) { releaseCredit(reservationId: $id) { ${RESERVATION_FIELDS} } }`, { id: reservationId }, 'releaseCredit'),
  };
}
