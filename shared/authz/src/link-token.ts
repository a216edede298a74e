import crypto from 'node:crypto';
import { errors } from '@platform/errors';
import type { Principal, PrincipalKind } from './principal';

/** The principal a link was made for: the link acts for it, after its permission is checked again. */
export interface LinkPrincipal {
  kind: PrincipalKind;
  id: string | null;
  actingAccountId: string | null;
  sessionId: string | null;
}

export interface LinkPurpose {
  /** derives the link's own key from the internal secret (e.g. `usage-export-token/v1`) */
  key: string;
  /** how the link is named in refusals (e.g. `export`) */
  noun: string;
  ttlSeconds: number;
}

export type LinkPayload<T> = T & { principal: LinkPrincipal; exp: number };

// A key per purpose, derived from the internal secret: a link token is never a principal header, nor a link of another purpose.
const purposeKey = (secret: string, purpose: LinkPurpose) => crypto.createHmac('sha256', secret).update(purpose.key).digest();
const mac = (secret: string, purpose: LinkPurpose, body: string) => crypto.createHmac('sha256', purposeKey(secret, purpose)).update(body).digest('base64url');

/**
 * A short-lived signed link (usage exports, contact uploads, invoice downloads): a bearer
 * credential carrying what it is for and who asked, that lives long enough to start the transfer.
 */
export function signLinkToken<T extends object>(purpose: LinkPurpose, request: T, principal: Principal, secret: string, nowMs = Date.now()): { token: string; expiresAt: Date } {
  const exp = Math.floor(nowMs / 1000) + purpose.ttlSeconds;
  const payload: LinkPayload<T> = {
    ...request,
    principal: { kind: principal.kind, id: principal.id, actingAccountId: principal.actingAccountId, sessionId: principal.sessionId },
    exp,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { token: `${body}.${mac(secret, purpose, body)}`, expiresAt: new Date(exp * 1000) };
}

/** The link's payload; UNAUTHENTICATED when it is malformed, forged, of another purpose or expired. */
export function verifyLinkToken<T extends object>(purpose: LinkPurpose, token: string | null, secret: string, nowMs = Date.now()): LinkPayload<T> {
  const [body, signature, extra] = (token ?? '').split('.');
  if (!body || !signature || extra !== undefined) throw errors.unauthenticated(`Missing or malformed ${purpose.noun} token`);
  const expected = Buffer.from(mac(secret, purpose, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) throw errors.unauthenticated(`Invalid ${purpose.noun} token`);
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as LinkPayload<T>;
  if (payload.exp * 1000 < nowMs) throw errors.unauthenticated(`The ${purpose.noun} link has expired; create a new one`);
  return payload;
}
