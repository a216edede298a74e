import crypto from 'node:crypto';
import { errors } from '@platform/errors';

import type { JWK } from './jose';

export const PRINCIPAL_HEADER = 'x-platform-principal';

/**
 * USER: a session; API_KEY: a key of an account (I7); OPERATOR: a session of the platform's own
 * staff (SPEC O1), in a realm of its own; SERVICE: one subgraph calling another's internal fields
 * (signed with that subgraph's own key, never by the gateway); ANONYMOUS: no credential.
 */
export type PrincipalKind = 'USER' | 'API_KEY' | 'OPERATOR' | 'SERVICE' | 'ANONYMOUS';

/** SPEC O1: admin (everything, manages operators), support (read, suspend/resume, approvals), finance (credit terms, plans, payments, invoices). */
export const OPERATOR_ROLES = ['OPERATOR_ADMIN', 'OPERATOR_SUPPORT', 'OPERATOR_FINANCE'] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];
export const isOperatorRole = (value: unknown): value is OperatorRole => (OPERATOR_ROLES as readonly unknown[]).includes(value);

/** Who is calling, as the gateway authenticated it. */
export interface Principal {
  kind: PrincipalKind;
  /** user id, API key id or (SERVICE) the calling subgraph's name; null when anonymous */
  id: string | null;
  /** the account chosen at login / switchAccount, or the API key's account */
  actingAccountId: string | null;
  /** session id, so logout and switchAccount can address the caller's own session */
  sessionId: string | null;
  /** an OPERATOR's role; null or absent for every other kind */
  operatorRole?: OperatorRole | null;
  /** the partner app of an API key (trusted documents, SPEC G3); null or absent otherwise */
  partnerAppId?: string | null;
  /** the client's network address as the gateway saw it (login throttling) */
  clientAddress?: string | null;
  requestId?: string;
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'ANONYMOUS',
  id: null,
  actingAccountId: null,
  sessionId: null,
}) as Principal;

/** The issuer of tokens for customer principals; a service's tokens are issued as `service:<name>`. */
export const GATEWAY_ISSUER = 'gateway';
export const serviceIssuer = (service: string) => `service:${service}`;

/** Which callers' service identities each subgraph accepts (messaging spends credit in billing). */
export const TRUSTED_SERVICE_CALLERS: Readonly<Record<string, readonly string[]>> = Object.freeze({ billing: ['messaging'] });

/** Private claims of a principal token besides iss, aud, sub, iat, exp, jti. */
interface PrincipalClaims {
  pk: PrincipalKind;
  act: string | null;
  sid: string | null;
  app?: string | null;
  orl?: OperatorRole;
  ip?: string | null;
  rid?: string;
}

/**
 * Mints principal tokens: compact JWS (EdDSA) with `aud` = the subgraph it is sent to, an expiry
 * of seconds and a `jti` each subgraph accepts once. Only the holder of the private key can sign.
 * Signed with node:crypto (synchronous Ed25519) rather than jose's WebCrypto path, which costs
 * about three times the CPU per token.
 */
export class PrincipalSigner {
  private readonly encodedHeader: string;

  private constructor(
    private readonly key: crypto.KeyObject,
    kid: string,
    private readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {
    this.encodedHeader = Buffer.from(JSON.stringify({ alg: 'EdDSA', kid, typ: 'platform-principal+jwt' })).toString('base64url');
  }

  static async create(privateJwk: JWK, issuer: string, ttlSeconds: number): Promise<PrincipalSigner> {
    if (!privateJwk.kid) throw new Error('A principal signing key needs a kid');
    if (!privateJwk.d) throw new Error('The principal signing key is a public key; the signer needs the private key');
    if (privateJwk.kty !== 'OKP' || privateJwk.crv !== 'Ed25519') throw new Error('A principal signing key must be an Ed25519 key');
    return new PrincipalSigner(crypto.createPrivateKey({ key: privateJwk as crypto.JsonWebKey, format: 'jwk' }), privateJwk.kid, issuer, ttlSeconds);
  }

  async sign(principal: Principal, audience: string, nowMs = Date.now()): Promise<string> {
    if ((principal.kind === 'SERVICE') !== this.issuer.startsWith('service:')) {
      throw new Error(`${this.issuer} cannot sign a ${principal.kind} principal`);
    }
    const claims: PrincipalClaims & { iss: string; aud: string; sub?: string; iat: number; exp: number; jti: string } = {
      pk: principal.kind,
      act: principal.actingAccountId,
      sid: principal.sessionId,
      iss: this.issuer,
      aud: audience,
      iat: 0,
      exp: 0,
      jti: crypto.randomUUID(),
    };
    if (principal.partnerAppId) claims.app = principal.partnerAppId;
    if (principal.kind === 'OPERATOR') {
      if (!isOperatorRole(principal.operatorRole)) throw new Error('An operator principal needs its role');
      claims.orl = principal.operatorRole;
    }
    if (principal.clientAddress) claims.ip = principal.clientAddress;
    if (principal.requestId) claims.rid = principal.requestId;
    if (principal.id !== null) claims.sub = principal.id;
    claims.iat = Math.floor(nowMs / 1000);
    claims.exp = claims.iat + this.ttlSeconds;
    const signingInput = `${this.encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    return `${signingInput}.${crypto.sign(null, Buffer.from(signingInput), this.key).toString('base64url')}`;
  }
}

export interface PrincipalVerifierOptions {
  /** the subgraph that verifies: tokens for another audience are refused */
  audience: string;
  /** the gateway's public keys (current and, during a rotation, previous) */
  gatewayPublicKeys: JWK[];
  /** public keys of the services whose SERVICE principals this subgraph accepts */
  servicePublicKeys?: Record<string, JWK[]>;
  /** refuse tokens issued longer ago than this, whatever their exp says */
  maxTtlSeconds: number;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;
const CLOCK_TOLERANCE_SECONDS = 5;

const unauthenticated = () => errors.unauthenticated('Invalid or expired internal principal token');

function decodeJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

const isNumericDate = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * Verifies principal tokens for one subgraph. The key a token names (`kid`) decides its issuer:
 * a gateway key vouches only for customer principals, a service key only for that service.
 * Each `jti` is accepted once per process (a captured header cannot be replayed to it).
 *
 * The token is checked with node:crypto's synchronous Ed25519 (jose goes through WebCrypto, whose
 * verification is a job on libuv's thread pool: ~0.1 ms of CPU more per request and a thread hop).
 * The checks are jose's jwtVerify for this one profile: compact JWS with `alg` EdDSA only, no
 * `crit`, a known `kid`, then iss, aud (a string: the signer never sends a list), exp, nbf, iat
 * within maxTtlSeconds, jti, 5 s of clock tolerance.
 */
export class PrincipalVerifier {
  private readonly seen = new Map<string, number>();
  private nextPruneAt = 0;

  private constructor(
    private readonly keys: Map<string, { key: crypto.KeyObject; issuer: string }>,
    private readonly options: PrincipalVerifierOptions,
  ) {}

  static async create(options: PrincipalVerifierOptions): Promise<PrincipalVerifier> {
    const keys = new Map<string, { key: crypto.KeyObject; issuer: string }>();
    const add = (jwk: JWK, issuer: string) => {
      if (!jwk.kid) throw new Error('Every principal verification key needs a kid');
      if (keys.has(jwk.kid)) throw new Error(`Two principal verification keys share the kid ${jwk.kid}`);
      if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new Error(`The principal verification key ${jwk.kid} is not an Ed25519 key`);
      const { d: _private, ...publicOnly } = jwk;
      keys.set(jwk.kid, { key: crypto.createPublicKey({ key: publicOnly as crypto.JsonWebKey, format: 'jwk' }), issuer });
    };
    for (const jwk of options.gatewayPublicKeys) add(jwk, GATEWAY_ISSUER);
    for (const [service, jwks] of Object.entries(options.servicePublicKeys ?? {})) for (const jwk of jwks) add(jwk, serviceIssuer(service));
    return new PrincipalVerifier(keys, options);
  }

  async verify(token: string | undefined, nowMs = Date.now()): Promise<Principal> {
    if (!token) throw errors.unauthenticated('Missing internal principal token');
    const parts = token.length <= 8192 ? token.split('.') : [];
    const header = parts.length === 3 && parts.every((part) => BASE64URL.test(part)) ? decodeJsonObject(parts[0]) : null;
    if (!header) throw errors.unauthenticated('Malformed internal principal token');
    const entry = typeof header.kid === 'string' ? this.keys.get(header.kid) : undefined;
    if (!entry) throw errors.unauthenticated('Internal principal token signed with an unknown key');
    if (header.alg !== 'EdDSA' || header.crit !== undefined || header.b64 !== undefined) throw unauthenticated();
    const signature = Buffer.from(parts[2], 'base64url');
    if (signature.length !== 64 || !crypto.verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), entry.key, signature)) throw unauthenticated();
    const payload = decodeJsonObject(parts[1]) as (Record<string, unknown> & PrincipalClaims) | null;
    if (!payload) throw unauthenticated();

    const now = Math.floor(nowMs / 1000);
    const { iat, exp, nbf, jti } = payload;
    if (payload.iss !== entry.issuer || payload.aud !== this.options.audience) throw unauthenticated();
    if (!isNumericDate(iat) || !isNumericDate(exp) || typeof jti !== 'string' || jti.length === 0) throw unauthenticated();
    if (exp <= now - CLOCK_TOLERANCE_SECONDS || iat > now + CLOCK_TOLERANCE_SECONDS || now - iat - CLOCK_TOLERANCE_SECONDS > this.options.maxTtlSeconds) throw unauthenticated();
    if (nbf !== undefined && (!isNumericDate(nbf) || nbf > now + CLOCK_TOLERANCE_SECONDS)) throw unauthenticated();
    if (exp - iat > this.options.maxTtlSeconds) throw unauthenticated();
    if (payload.sub !== undefined && typeof payload.sub !== 'string') throw unauthenticated();

    const isService = entry.issuer !== GATEWAY_ISSUER;
    if (isService ? payload.pk !== 'SERVICE' || payload.sub !== entry.issuer.slice('service:'.length) : !['USER', 'API_KEY', 'OPERATOR', 'ANONYMOUS'].includes(payload.pk) || (payload.pk === 'OPERATOR' && !isOperatorRole(payload.orl))) {
      throw errors.unauthenticated('The signer of this internal principal token may not vouch for this principal');
    }
    this.acceptOnce(jti, exp * 1000, nowMs);
    return {
      kind: payload.pk,
      id: typeof payload.sub === 'string' ? payload.sub : null,
      actingAccountId: payload.act ?? null,
      sessionId: payload.sid ?? null,
      partnerAppId: payload.app ?? null,
      operatorRole: payload.pk === 'OPERATOR' ? payload.orl : null,
      clientAddress: payload.ip ?? null,
      requestId: payload.rid,
    };
  }

  private acceptOnce(jti: string, expiresAtMs: number, nowMs: number): void {
    if (nowMs >= this.nextPruneAt) {
      for (const [id, until] of this.seen) if (until + 10_000 < nowMs) this.seen.delete(id);
      this.nextPruneAt = nowMs + 5_000;
    }
    if (this.seen.has(jti)) throw errors.unauthenticated('Internal principal token already used');
    this.seen.set(jti, expiresAtMs);
  }
}
