import crypto from 'node:crypto';
import type { Principal, PrincipalKind } from '@platform/authz';
import { errors } from '@platform/errors';
import type { UsageGroupBy } from '../__generated__/resolvers-types';

export const USAGE_EXPORT_PATH = '/exports/usage.csv';
/** An export link is a bearer credential: it lives long enough to start the download, no longer. */
export const USAGE_EXPORT_TTL_SECONDS = 300;

export interface UsageExportRequest {
  accountId: string;
  from: string;
  to: string;
  groupBy: UsageGroupBy[];
  includeDescendants: boolean;
}

interface ExportTokenPayload extends UsageExportRequest {
  principal: { kind: PrincipalKind; id: string | null; actingAccountId: string | null; sessionId: string | null };
  exp: number;
}

// A key of its own, derived from the internal secret, so an export token is never a principal header.
const tokenKey = (secret: string) => crypto.createHmac('sha256', secret).update('usage-export-token/v1').digest();
const mac = (secret: string, body: string) => crypto.createHmac('sha256', tokenKey(secret)).update(body).digest('base64url');

export function signExportToken(request: UsageExportRequest, principal: Principal, secret: string, nowMs = Date.now()): { token: string; expiresAt: Date } {
  const exp = Math.floor(nowMs / 1000) + USAGE_EXPORT_TTL_SECONDS;
  const payload: ExportTokenPayload = {
    ...request,
    principal: { kind: principal.kind, id: principal.id, actingAccountId: principal.actingAccountId, sessionId: principal.sessionId },
    exp,
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return { token: `${body}.${mac(secret, body)}`, expiresAt: new Date(exp * 1000) };
}

export function verifyExportToken(token: string | null, secret: string, nowMs = Date.now()): ExportTokenPayload {
  const [body, signature, extra] = (token ?? '').split('.');
  if (!body || !signature || extra !== undefined) throw errors.unauthenticated('Missing or malformed export token');
  const expected = Buffer.from(mac(secret, body));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) throw errors.unauthenticated('Invalid export token');
  const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as ExportTokenPayload;
  if (payload.exp * 1000 < nowMs) throw errors.unauthenticated('The export link has expired; create a new one');
  return payload;
}
