import crypto from 'node:crypto';
import type { Queryable } from './access-control';
import { ANONYMOUS, type Principal } from './principal';

/** Opaque secrets (session tokens, later API keys) are stored only as their SHA-256. */
export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret, 'utf8').digest('hex');
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** `<prefix>_<base62 of 256 random bits>` */
export function randomToken(prefix: string, bytes = 32): string {
  let value = BigInt(`0x${crypto.randomBytes(bytes).toString('hex')}`);
  let encoded = '';
  while (value > 0n) {
    encoded = BASE62[Number(value % 62n)] + encoded;
    value /= 62n;
  }
  return `${prefix}_${encoded.padStart(Math.ceil((bytes * 8) / Math.log2(62)), '0')}`;
}

export const SESSION_TOKEN_PREFIX = 'ses';

/**
 * Resolves the bearer credential of a request into a principal. Unknown, expired or revoked
 * credentials answer null (the gateway refuses with UNAUTHENTICATED).
 */
export async function authenticateBearer(db: Queryable, token: string): Promise<Principal | null> {
  if (token.startsWith(`${SESSION_TOKEN_PREFIX}_`) && token.length < 200) {
    const rows: { id: string; user_id: string; acting_account_id: string | null }[] = await db.query(
      `SELECT s.id, s.user_id, s.acting_account_id
         FROM identity.sessions s
        WHERE s.token_hash = $1 AND s.expires_at > now() AND s.revoked_at IS NULL`,
      [hashSecret(token)],
    );
    if (rows.length === 0) return null;
    return { kind: 'USER', id: rows[0].user_id, actingAccountId: rows[0].acting_account_id, sessionId: rows[0].id };
  }
  return null;
}

export { ANONYMOUS };
