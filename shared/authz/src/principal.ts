import crypto from 'node:crypto';
import { errors } from '@platform/errors';

export const PRINCIPAL_HEADER = 'x-platform-principal';

/**
 * USER: a session; API_KEY: a key of an account (I7); SERVICE: one subgraph calling another's
 * internal fields (never produced by the gateway); ANONYMOUS: no credential.
 */
export type PrincipalKind = 'USER' | 'API_KEY' | 'SERVICE' | 'ANONYMOUS';

/** Who is calling, as the gateway authenticated it. */
export interface Principal {
  kind: PrincipalKind;
  /** user id or API key id; null when anonymous */
  id: string | null;
  /** the account chosen at login / switchAccount, or the API key's account */
  actingAccountId: string | null;
  /** session id, so logout and switchAccount can address the caller's own session */
  sessionId: string | null;
  /** the partner app of an API key (trusted documents, SPEC G3); null or absent otherwise */
  partnerAppId?: string | null;
  /** the client's address as the gateway saw it (failed-login throttling); null or absent when unknown */
  clientAddress?: string | null;
  requestId?: string;
}

export const ANONYMOUS: Principal = Object.freeze({
  kind: 'ANONYMOUS',
  id: null,
  actingAccountId: null,
  sessionId: null,
}) as Principal;

interface SignedPayload {
  k: PrincipalKind;
  sub: string | null;
  act: string | null;
  sid: string | null;
  app?: string | null;
  ip?: string | null;
  rid?: string;
  iat: number;
  exp: number;
}

const hmac = (secret: string, data: string) => crypto.createHmac('sha256', secret).update(data).digest('base64url');

/** `v1.<base64url payload>.<base64url HMAC-SHA256>`; short-lived, so a captured header soon stops working. */
export function signPrincipal(principal: Principal, secret: string, ttlSeconds: number, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const payload: SignedPayload = {
    k: principal.kind,
    sub: principal.id,
    act: principal.actingAccountId,
    sid: principal.sessionId,
    app: principal.partnerAppId ?? null,
    ip: principal.clientAddress ?? null,
    rid: principal.requestId,
    iat,
    exp: iat + ttlSeconds,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `v1.${body}.${hmac(secret, `v1.${body}`)}`;
}

export function verifyPrincipal(header: string | undefined, secret: string, nowMs = Date.now()): Principal {
  if (!header) throw errors.unauthenticated('Missing internal principal signature');
  const parts = header.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') throw errors.unauthenticated('Malformed internal principal signature');
  const expected = Buffer.from(hmac(secret, `v1.${parts[1]}`));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw errors.unauthenticated('Invalid internal principal signature');
  }
  let payload: SignedPayload;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw errors.unauthenticated('Malformed internal principal signature');
  }
  if (typeof payload.exp !== 'number' || payload.exp * 1000 < nowMs) {
    throw errors.unauthenticated('Expired internal principal signature');
  }
  if (!['USER', 'API_KEY', 'SERVICE', 'ANONYMOUS'].includes(payload.k)) throw errors.unauthenticated('Unknown principal kind');
  return {
    kind: payload.k,
    id: payload.sub,
    actingAccountId: payload.act,
    sessionId: payload.sid,
    partnerAppId: payload.app ?? null,
    clientAddress: payload.ip ?? null,
    requestId: payload.rid,
  };
}
